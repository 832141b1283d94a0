import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/**
 * `npm run docs:check`: the API reference the local stack serves, opened in a real headless
 * Chromium (Debian's `chromium` package: `apt-get install chromium`; another binary with
 * `CHROMIUM_PATH`). It fails when the page loads anything from another origin (it must work
 * offline), logs an error, or does not render the operations; it saves a screenshot
 * (`.local/api-reference.png`, or the path given as argument).
 *
 * Not part of `npm test`: CI installs only what `npm ci` brings, and no npm package ships a
 * Chromium that installs without a download from outside the registry.
 */
const REDOC_BADGE_BLOCKED =
  /^Loading the image 'https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini\.svg' violates the following Content Security Policy/;

async function main(): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const rootDir = path.resolve(__dirname, '..');
  const screenshot = path.resolve(process.argv[2] ?? path.join(rootDir, '.local', 'api-reference.png'));
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
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Root in CI containers: Chromium's sandbox needs user namespaces it does not get there.
    args: ['--no-sandbox'],
  });
  const problems: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === stack.url || url.protocol === 'data:' || url.protocol === 'blob:')
        return route.continue();
      problems.push(`request to another origin: ${url.href}`);
      return route.abort();
    });
    page.on('console', (message) => {
      // Redoc 2's sidebar badge points at its CDN logo: the page's CSP refuses it (nothing leaves the
      // machine) and Redoc drops the image. Any other error fails the check.
      const text = message.text();
      if (message.type() !== 'error' || REDOC_BADGE_BLOCKED.test(text)) return;
      problems.push(`console error: ${text}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const response = await page.goto(`${stack.url}/api/v1/docs`, { waitUntil: 'networkidle' });
    if (response?.status() !== 200) problems.push(`GET /api/v1/docs answered ${String(response?.status())}`);
    await page
      .getByRole('heading', { name: /Rampart API/ })
      .first()
      .waitFor({ timeout: 30_000 });
    for (const summary of ['Create a project', 'Sign in with email and password', 'Rotate an API key']) {
      if ((await page.getByText(summary).count()) === 0) problems.push(`operation "${summary}" not rendered`);
    }
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    process.stdout.write(`screenshot: ${path.relative(process.cwd(), screenshot)}\n`);
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    process.stderr.write(`API reference check failed:\n${problems.map((line) => `- ${line}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write('API reference: rendered offline in Chromium, no foreign request, no error\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
