import { bundledChromium } from './openapi/reference-check';

/**
 * Part of `npm ci` / `npm install` (the `prepare` script): unpacks the headless Chromium that
 * `@sparticuz/chromium` ships into node_modules/.cache once, so that `npm test` does not pay for it
 * (about 2 s). Nothing is downloaded. With `CHROMIUM_PATH` set, nothing is unpacked.
 */
const { executablePath } = bundledChromium();
process.stdout.write(`headless Chromium for the API reference check: ${executablePath}\n`);
