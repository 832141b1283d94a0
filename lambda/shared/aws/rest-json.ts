import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';

/**
 * A SigV4-signed call to an AWS REST-JSON API, for the few operations whose SDK client has no
 * release matching the one every other client is pinned to (test/lockfile.test.ts): a second
 * release would put a second copy of the SDK core in the bundle. The signer is the SDK's own
 * (`@smithy/signature-v4`); credentials and region come from an SDK client the function already
 * has, so they follow the same provider chain.
 */
export interface RestJsonTarget {
  /** Signing name and endpoint prefix, e.g. `backup`. */
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /** @default - `https://<service>.<region>.amazonaws.com` */
  readonly endpoint?: string;
}

/** An AWS error response: `code` is the error type the service returned (`ResourceNotFoundException`, ...). */
export class AwsRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code} (HTTP ${status}): ${message}`);
    this.name = 'AwsRestError';
  }
}

class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', Buffer.from(this.secret as Uint8Array | string));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** Sends `method path` with an optional JSON body; resolves the parsed JSON response (undefined when empty). */
export async function restJson<T>(
  target: RestJsonTarget,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T | undefined> {
  const endpoint = new URL(target.endpoint ?? `https://${target.service}.${target.region}.amazonaws.com`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const signer = new SignatureV4({
    service: target.service,
    region: target.region,
    credentials: target.credentials,
    sha256: NodeSha256,
  });
  const signed = await signer.sign({
    method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path,
    query: {},
    headers: {
      host: endpoint.host,
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: payload,
  });
  const response = await fetch(new URL(path, endpoint), {
    method,
    headers: signed.headers,
    body: payload,
  });
  const text = await response.text();
  if (!response.ok) {
    let code = response.headers.get('x-amzn-errortype')?.split(':')[0] ?? `Http${response.status}`;
    let message = text;
    try {
      const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      code = parsed.__type?.split('#').at(-1) ?? code;
      message = parsed.message ?? parsed.Message ?? text;
    } catch {
      // not JSON: keep the raw text
    }
    throw new AwsRestError(response.status, code, message);
  }
  return text === '' ? undefined : (JSON.parse(text) as T);
}
