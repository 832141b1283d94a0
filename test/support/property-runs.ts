/**
 * Runs of a property test. `npm test` makes a fifth of a property's full count (never fewer than
 * fast-check's default of 100), which keeps the suite within its time budget on 2-core machines;
 * `RAMPART_PROPERTY_RUNS=full` makes the full count, as .ci/run does in its second pass over the
 * handler, domain and toolkit tests (docs/performance.md).
 */
export function propertyRuns(full: number): number {
  if (process.env.RAMPART_PROPERTY_RUNS === 'full') return full;
  return Math.max(100, Math.ceil(full / 5));
}
