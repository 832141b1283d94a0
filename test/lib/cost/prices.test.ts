import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../../lib/config';
import {
  GLOBAL_PRICES,
  PRICES_READ_ON,
  pricesOf,
  pricesOutdated,
  REGION_PRICES,
  type Price,
} from '../../../lib/cost/prices';
import { GLOBAL_REGION } from '../../../lib/stacks/ops-global-stack';

/** Every Price in a (nested) table entry. */
function pricesIn(value: unknown): Price[] {
  if (value && typeof value === 'object' && 'usd' in value) return [value as Price];
  return value && typeof value === 'object' ? Object.values(value).flatMap(pricesIn) : [];
}

describe('price table', () => {
  test('is less than a year old (re-read the pages each entry cites, then move PRICES_READ_ON)', () => {
    expect(pricesOutdated(new Date())).toBe(false);
  });

  test('the age check turns a year and a day after the reading', () => {
    const read = new Date(`${PRICES_READ_ON}T00:00:00Z`);
    const yearLater = new Date(read);
    yearLater.setUTCFullYear(read.getUTCFullYear() + 1);
    expect(pricesOutdated(yearLater)).toBe(false);
    expect(pricesOutdated(new Date(yearLater.getTime() + 24 * 3600 * 1000))).toBe(true);
  });

  test('every entry is a positive USD figure citing an AWS pricing page', () => {
    const all = [...Object.values(REGION_PRICES).flatMap(pricesIn), ...pricesIn(GLOBAL_PRICES)];
    expect(all.length).toBeGreaterThan(100);
    for (const price of all) {
      expect(price.usd).toBeGreaterThan(0);
      expect(price.source).toMatch(
        /^https:\/\/aws\.amazon\.com\/[a-z0-9-]+\/(pricing|[a-z-]+\/pricing|pricing\/on-demand)\//,
      );
      expect(price.per.length).toBeGreaterThan(2);
    }
  });

  test('covers every region an environment uses: its own, its DR region and us-east-1', () => {
    for (const name of ENVIRONMENT_NAMES) {
      const config = loadEnvironmentConfig(name);
      for (const region of [config.region, config.drRegion, GLOBAL_REGION])
        expect(pricesOf(region)).toBeDefined();
    }
  });
});
