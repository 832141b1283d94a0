/**
 * Lints code snippets at virtual paths with ESLint's Node API and the project's eslint.config.mjs.
 * Input on stdin: `{ "snippets": [{ "file", "code", "resolver"? }] }`, paths relative to the
 * repository; output: one list of `{ ruleId, message }` per snippet. A separate process because
 * ESLint loads its config file with `import()`, which jest's module sandbox refuses.
 * `"resolver": "default"` lints with eslint-module-utils' default resolver instead of the project's.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { snippets } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const engines = {
  project: new ESLint({ cwd: root }),
  // A string replaces the whole setting (an object would be merged into the project's).
  default: new ESLint({ cwd: root, overrideConfig: { settings: { 'import/resolver': 'node' } } }),
};
const results = [];
for (const { file, code, resolver = 'project' } of snippets) {
  const [result] = await engines[resolver].lintText(code, { filePath: path.join(root, file) });
  results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
process.stdout.write(JSON.stringify(results));
