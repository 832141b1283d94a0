/**
 * Stand-in for `@smithy/core/event-streams` in deployed bundles only (esbuild alias in
 * lib/constructs/compute/bundling.ts). The SDK's HTTP protocols load it on demand, for operations
 * that stream events (S3 SelectObjectContent, Bedrock, Transcribe...). None of the services
 * Rampart calls has such an operation, yet the `import()` puts ~15 KB of codec into every client
 * bundle. If an event-stream operation is ever called from a bundle, it fails loudly here instead.
 */
const UNAVAILABLE =
  'AWS SDK event streams are not bundled (lambda/shared/bundle-stubs/event-streams.ts); remove the alias in lib/constructs/compute/bundling.ts to call an event-stream operation';

export class EventStreamSerde {
  constructor() {
    throw new Error(UNAVAILABLE);
  }
}

export function eventStreamSerdeProvider(): never {
  throw new Error(UNAVAILABLE);
}
