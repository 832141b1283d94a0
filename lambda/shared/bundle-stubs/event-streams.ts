/**
 * Stand-in for `@smithy/core/event-streams` in deployed bundles only (esbuild alias in
 * lib/constructs/compute/bundling.ts). The SDK's HTTP protocols load it on demand, for operations
 * that stream events (S3 SelectObjectContent, Bedrock, Transcribe...). None of the services
 * Rampart calls has such an operation, yet the `import()` puts ~15 KB of codec into every client
 * bundle. If an event-stream operation is ever called from a bundle, it fails loudly here instead.
 *
 * Clients of services that have such operations (S3) resolve the marshaller when they are built
 * (`resolveEventStreamSerdeConfig`): the provider hands them one that throws only when used.
 */
const UNAVAILABLE =
  'AWS SDK event streams are not bundled (lambda/shared/bundle-stubs/event-streams.ts); remove the alias in lib/constructs/compute/bundling.ts to call an event-stream operation';

export class EventStreamSerde {
  constructor() {
    throw new Error(UNAVAILABLE);
  }
}

/** A marshaller that refuses to marshal: building a client works, streaming events does not. */
export function eventStreamSerdeProvider(): { serialize(): never; deserialize(): never } {
  return {
    serialize() {
      throw new Error(UNAVAILABLE);
    },
    deserialize() {
      throw new Error(UNAVAILABLE);
    },
  };
}

/** As the SDK's: the client's config gets the provider's (refusing) marshaller. */
export function resolveEventStreamSerdeConfig<T extends { eventStreamSerdeProvider: (input: T) => unknown }>(
  input: T,
): T & { eventStreamMarshaller: unknown } {
  return Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
}
