/**
 * Keeps Powertools' structured log lines and EMF metrics out of the test output (thousands of
 * lines from the property tests). Tests that assert on them capture stdout themselves
 * (test/fixtures/captured-output.ts), which replaces this filter while they run.
 * `RAMPART_TEST_LOGS=1` shows everything.
 */
if (process.env.RAMPART_TEST_LOGS !== '1') {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (text.startsWith('{"level":') || text.startsWith('{"_aws":')) return true;
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
