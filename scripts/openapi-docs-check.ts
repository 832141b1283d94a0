import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkApiReference, launchChromium } from './openapi/reference-check';

/**
 * `npm run docs:check [screenshot.png]`: the API reference the local stack serves, opened in
 * headless Chromium (the one `@sparticuz/chromium` ships, or `CHROMIUM_PATH`), outside a test run.
 * Fails when the page loads anything from another origin, logs an error, or does not render every
 * operation of docs/api/openapi.json; saves a screenshot (`.local/api-reference.png` by default).
 * `npm test` runs the same check (test/contract/fuzz.test.ts).
 */
async function main(): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const rootDir = path.resolve(__dirname, '..');
  const screenshot = path.resolve(process.argv[2] ?? path.join(rootDir, '.local', 'api-reference.png'));
  const document = JSON.parse(readFileSync(path.join(rootDir, 'docs/api/openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, { operationId: string }>>;
  };
  const operationIds = Object.values(document.paths).flatMap((item) =>
    Object.values(item).map((operation) => operation.operationId),
  );
  const { loadEnvironmentConfig } = await import('../lib/config');
  const { startLocalStack } = await import('../lib/local/local-stack');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rampart-docs-'));
  const stack = await startLocalStack({
    rootDir,
    dataDir,
    port: 0,
    environment: loadEnvironmentConfig('dev'),
    seed: false,
  });
  const problems: string[] = [];
  try {
    const browser = await launchChromium();
    try {
      const result = await checkApiReference(browser, stack.url, {
        lastOperationId: operationIds[operationIds.length - 1]!,
        screenshot,
      });
      problems.push(...result.problems);
      const rendered = new Set(result.operations.map((operation) => operation.id));
      for (const id of operationIds) if (!rendered.has(id)) problems.push(`operation ${id} not rendered`);
      process.stdout.write(`screenshot: ${path.relative(process.cwd(), screenshot)}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    process.stderr.write(`API reference check failed:\n${problems.map((line) => `- ${line}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `API reference: ${operationIds.length} operations rendered offline in Chromium, no foreign request, no error\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
