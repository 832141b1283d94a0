import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * The API reference (`/api/v1/docs`) opened in a real headless Chromium: the check behind
 * `npm run docs:check` and test/contract/fuzz.test.ts (which reuses its local stack).
 *
 * The browser is the npm package `@sparticuz/chromium` (chrome-headless-shell for Linux x64,
 * brotli-compressed inside the registry tarball, no install script and no download), unpacked once
 * into `node_modules/.cache/rampart-chromium/<version>/`. `CHROMIUM_PATH` names another binary
 * instead (e.g. Debian's `/usr/bin/chromium`).
 */

const CACHE_DIR = path.resolve(__dirname, '../../node_modules/.cache/rampart-chromium');

/**
 * Redoc 2's sidebar badge points at its CDN logo: the page's CSP refuses it (nothing leaves the
 * machine) and Redoc drops the image. Any other console error fails the check.
 */
const REDOC_BADGE_BLOCKED =
  /^Loading the image 'https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini\.svg' violates the following Content Security Policy/;

/** A Chromium binary and the environment it runs with. */
export interface ChromiumBinary {
  readonly executablePath: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The Chromium the check runs: `CHROMIUM_PATH`, or the one `@sparticuz/chromium` ships, unpacked on
 * first use (about 1.7 s and 200 MB) with a fontconfig file of its own, so that pages render with
 * the package's fonts whatever the machine has installed.
 */
export function bundledChromium(env: NodeJS.ProcessEnv = process.env): ChromiumBinary {
  if (env.CHROMIUM_PATH) return { executablePath: env.CHROMIUM_PATH, env: {} };
  const entry = require.resolve('@sparticuz/chromium');
  const packageDir = path.resolve(path.dirname(entry), '..', '..');
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const dir = path.join(CACHE_DIR, version);
  if (!existsSync(path.join(dir, 'fonts.conf'))) {
    mkdirSync(CACHE_DIR, { recursive: true });
    // The package unpacks into os.tmpdir(): a child process with TMPDIR set to a fresh directory,
    // renamed into place when complete, so that a reader never sees a half-written binary.
    const staging = mkdtempSync(path.join(CACHE_DIR, `${version}-`));
    try {
      execFileSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(entry)}).executablePath(${JSON.stringify(path.join(packageDir, 'bin'))})` +
            '.catch((error) => { console.error(error); process.exit(1); })',
        ],
        { env: { ...env, TMPDIR: staging }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      writeFileSync(
        path.join(staging, 'fonts.conf'),
        [
          '<?xml version="1.0"?>',
          '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
          '<fontconfig>',
          `  <dir>${path.join(dir, 'fonts')}</dir>`,
          `  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>`,
          '</fontconfig>',
          '',
        ].join('\n'),
      );
      renameSync(staging, dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another process unpacked it first: use theirs.
      if (!existsSync(path.join(dir, 'fonts.conf'))) throw error;
    }
  }
  return {
    executablePath: path.join(dir, 'chromium'),
    env: { FONTCONFIG_FILE: path.join(dir, 'fonts.conf') },
  };
}

/** Starts headless Chromium with no way off the machine: every host name but the loopback address fails to resolve. */
export function launchChromium(binary: ChromiumBinary = bundledChromium()): Promise<Browser> {
  return chromium.launch({
    executablePath: binary.executablePath,
    env: { ...(process.env as Record<string, string>), ...binary.env },
    args: [
      // Root in CI containers: Chromium's sandbox needs user namespaces it does not get there.
      '--no-sandbox',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

/** An operation as the reference shows it. */
export interface RenderedOperation {
  /** The operation id (Redoc's section `operation/<id>`). */
  readonly id: string;
  /** Its heading: the summary. */
  readonly summary: string;
  /** Shown with Redoc's "Deprecated" badge. */
  readonly deprecated: boolean;
}

export interface ReferenceCheck {
  /** What is wrong; empty when the page loaded offline without an error. */
  readonly problems: readonly string[];
  /** Every operation the page rendered, in page order. */
  readonly operations: readonly RenderedOperation[];
}

/**
 * Opens `<origin>/api/v1/docs`, waits until Redoc has rendered the operation `lastOperationId`, and
 * reports any request to another origin (refused: the page must work offline), console and page
 * errors and a failed load, with the operations rendered. Saves a screenshot of one screen to
 * `screenshot` when given.
 */
export async function checkApiReference(
  browser: Browser,
  origin: string,
  options: {
    readonly lastOperationId: string;
    readonly screenshot?: string;
    /** The operation the screenshot shows. @default - the top of the page */
    readonly screenshotAt?: string;
  },
): Promise<ReferenceCheck> {
  const problems: string[] = [];
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  try {
    const page = await context.newPage();
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === origin || url.protocol === 'data:' || url.protocol === 'blob:')
        return route.continue();
      problems.push(`request to another origin: ${url.href}`);
      return route.abort();
    });
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() !== 'error' || REDOC_BADGE_BLOCKED.test(text)) return;
      problems.push(`console error: ${text}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const response = await page.goto(`${origin}/api/v1/docs`);
    if (response?.status() !== 200) problems.push(`GET /api/v1/docs answered ${String(response?.status())}`);
    await page
      .locator(`[data-section-id="operation/${options.lastOperationId}"] h2`)
      .waitFor({ state: 'attached', timeout: 30_000 });
    const operations = await page.$$eval('[data-section-id^="operation/"]', (sections) =>
      sections.map((section) => {
        const heading = section.querySelector('h2');
        const badge = heading?.querySelector('span[type="warning"]');
        return {
          id: (section.getAttribute('data-section-id') ?? '').replace(/^operation\//, ''),
          summary: (heading?.textContent ?? '').replace(badge?.textContent ?? '', '').trim(),
          deprecated: (badge?.textContent ?? '').trim() === 'Deprecated',
        };
      }),
    );
    if (options.screenshot !== undefined) {
      mkdirSync(path.dirname(options.screenshot), { recursive: true });
      if (options.screenshotAt !== undefined) {
        await page.locator(`[data-section-id="operation/${options.screenshotAt}"]`).scrollIntoViewIfNeeded();
      }
      await page.screenshot({ path: options.screenshot });
    }
    return { problems, operations };
  } finally {
    await context.close();
  }
}
