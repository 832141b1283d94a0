import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_ALIASES } from '../../../lib/constructs/compute/bundling';
import * as cssfilterStub from '../../../lambda/shared/bundle-stubs/cssfilter';
import { RICH_TEXT_PROFILE, stripHtml } from '../../../lambda/shared/sanitize';

describe('cssfilter stand-in in deployed bundles', () => {
  test('is what the bundles alias cssfilter to', () => {
    expect(BUNDLE_ALIASES.cssfilter).toBe('./lambda/shared/bundle-stubs/cssfilter.ts');
  });

  test('no sanitizer profile whitelists the style attribute (the only thing cssfilter cleans)', () => {
    for (const attributes of Object.values(RICH_TEXT_PROFILE.whiteList ?? {})) {
      expect(attributes).not.toContain('style');
    }
    expect(stripHtml('<p style="color:red">x</p>')).toBe('x');
  });

  test('fails closed in a bundle built like the deployed ones: a whitelisted style loses its value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-stub-'));
    const entry = join(dir, 'entry.js');
    writeFileSync(
      entry,
      "const { FilterXSS } = require('xss');\n" +
        "module.exports = new FilterXSS({ whiteList: { p: ['style'] } }).process('<p style=\"color:red\">x</p>');\n",
    );
    await build({
      entryPoints: [entry],
      outfile: join(dir, 'out.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      alias: { ...BUNDLE_ALIASES },
      absWorkingDir: join(__dirname, '..', '..', '..'),
      nodePaths: [join(__dirname, '..', '..', '..', 'node_modules')],
      logLevel: 'error',
    });
    const { default: output } = (await import(join(dir, 'out.js'))) as { default: string };
    expect(output).toBe('<p style>x</p>');
    expect(cssfilterStub.getDefaultWhiteList()).toEqual({});
  });
});
