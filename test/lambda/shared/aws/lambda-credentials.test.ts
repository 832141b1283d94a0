import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_ALIASES, CREDENTIALS_SHIM } from '../../../../lib/constructs/compute/bundling';
import * as sourceChain from '../../../../lambda/shared/aws/lambda-credentials';
import { NO_LAMBDA_CREDENTIALS } from '../../../../lambda/shared/aws/lambda-credentials';
import { bundleLikeDeployed, DEPLOYED_BUILD_OPTIONS } from '../../../support/bundle';

/**
 * The SDK credential chain of every deployed bundle: the bundles alias the SDK's Node chain to
 * lambda/shared/aws/lambda-credentials.ts, so this builds an SQS client exactly as the functions
 * are built and lets it sign real requests. One loopback HTTP server stands in for both SQS and
 * the Lambda/container credentials endpoint and records what reaches it.
 */

type BundledSdk = typeof import('@aws-sdk/client-sqs') & {
  credentialProviders: {
    fromNodeProviderChain: typeof import('@aws-sdk/credential-providers').fromNodeProviderChain;
  };
};

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_PROFILE',
] as const;

/** How long the credentials the container endpoint hands out stay valid (Lambda's are hours). */
let containerCredentialsLifetimeMs = 3_600_000;
const containerCredentials = () => ({
  AccessKeyId: 'ASIACONTAINEREXAMPLE',
  SecretAccessKey: 'container-secret',
  Token: 'container-session-token',
  Expiration: new Date(Date.now() + containerCredentialsLifetimeMs).toISOString(),
});

const ROOT = join(__dirname, '..', '..', '..', '..');
const SDK_ENTRY =
  "const { SQSClient, GetQueueUrlCommand } = require('@aws-sdk/client-sqs');\n" +
  "module.exports = { SQSClient, GetQueueUrlCommand, credentialProviders: require('@aws-sdk/credential-providers') };\n";

let sdk: BundledSdk;
let bundleText: string;
let server: http.Server;
let port: number;
const requests: Recorded[] = [];
const saved: Partial<Record<(typeof CREDENTIAL_VARIABLES)[number], string>> = {};

beforeAll(async () => {
  const out = await bundleLikeDeployed(SDK_ENTRY);
  bundleText = readFileSync(out, 'utf8');
  sdk = (await import(out)) as BundledSdk;
  server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    request.resume();
    request.on('end', () => {
      if (request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(containerCredentials()));
        return;
      }
      // SQS (AWS JSON 1.0): GetQueueUrl.
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/q' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests.length = 0;
  containerCredentialsLifetimeMs = 3_600_000;
  for (const name of CREDENTIAL_VARIABLES) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});

afterEach(() => {
  jest.restoreAllMocks();
  for (const name of CREDENTIAL_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/**
 * A fresh client (each client builds its own chain, which remembers the credentials) that sends
 * GetQueueUrl `times` times to the loopback server; resolves with the last answer.
 */
async function getQueueUrl(times = 1): Promise<string | undefined> {
  const client = new sdk.SQSClient({
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${port}`,
    maxAttempts: 1,
  });
  try {
    let queueUrl: string | undefined;
    for (let call = 0; call < times; call += 1) {
      queueUrl = (await client.send(new sdk.GetQueueUrlCommand({ QueueName: 'q' }))).QueueUrl;
    }
    return queueUrl;
  } finally {
    client.destroy();
  }
}

const sqsRequest = () => requests.find((request) => request.method === 'POST');
const credentialRequests = () => requests.filter((request) => request.method === 'GET');

/** What only the SDK's full Node chain reads: SSO sessions, web identity, credential_process, role chaining. */
const FULL_CHAIN_MARKERS = [
  'sso_session',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AssumeRoleWithWebIdentity',
  'credential_process',
  'AWS_ROLE_ARN',
];

test('the deployed bundles alias both SDK chains to the Lambda chain, and a bundled client carries no other provider', async () => {
  expect(BUNDLE_ALIASES['@aws-sdk/credential-provider-node']).toBe(CREDENTIALS_SHIM);
  expect(BUNDLE_ALIASES['@aws-sdk/credential-providers']).toBe(CREDENTIALS_SHIM);
  expect(CREDENTIALS_SHIM).toBe('./lambda/shared/aws/lambda-credentials.ts');
  expect(bundleText).toContain(NO_LAMBDA_CREDENTIALS);
  for (const marker of FULL_CHAIN_MARKERS) expect(bundleText).not.toContain(marker);
  // The same client bundled without the two aliases carries the full chain.
  const {
    '@aws-sdk/credential-provider-node': _node,
    '@aws-sdk/credential-providers': _providers,
    ...otherAliases
  } = BUNDLE_ALIASES;
  const unaliased = await build({
    ...DEPLOYED_BUILD_OPTIONS,
    alias: otherAliases,
    stdin: { contents: SDK_ENTRY, resolveDir: ROOT },
    write: false,
  });
  const unaliasedText = unaliased.outputFiles[0].text;
  for (const marker of FULL_CHAIN_MARKERS) expect(unaliasedText).toContain(marker);
  expect(unaliasedText).not.toContain(NO_LAMBDA_CREDENTIALS);
});

test('environment credentials come first: the request is signed with them and the container endpoint is never asked', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'ASIAENVIRONMENTEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'environment-secret';
  process.env.AWS_SESSION_TOKEN = 'environment-session-token';
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/v2/credentials/function`;
  process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'container-authorization-token';

  await expect(getQueueUrl()).resolves.toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/q');

  expect(credentialRequests()).toEqual([]);
  expect(sqsRequest()?.headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=ASIAENVIRONMENTEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request, /,
  );
  expect(sqsRequest()?.headers['x-amz-security-token']).toBe('environment-session-token');
});

test('without environment credentials, the container endpoint (full URI) is asked with the authorization token', async () => {
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/2018-06-01/credentials?id=function`;
  process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'container-authorization-token';

  await expect(getQueueUrl()).resolves.toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/q');

  expect(credentialRequests()).toHaveLength(1);
  const [asked] = credentialRequests();
  expect(asked.path).toBe('/2018-06-01/credentials?id=function');
  expect(asked.headers.authorization).toBe('container-authorization-token');
  expect(sqsRequest()?.headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=ASIACONTAINEREXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request, /,
  );
  expect(sqsRequest()?.headers['x-amz-security-token']).toBe('container-session-token');
});

test('a relative URI is asked of the container endpoint address, 169.254.170.2 (redirected here to the loopback server)', async () => {
  process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/v2/credentials/0123-abcd';
  process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'container-authorization-token';
  const hostsAsked: string[] = [];
  const original = http.request;
  // The bundle reaches node:http through the same module object; only the link-local address is moved.
  jest.spyOn(http, 'request').mockImplementation(((options: http.RequestOptions, callback?: () => void) => {
    hostsAsked.push(String(options.hostname ?? options.host));
    if (options.hostname !== '169.254.170.2') return original(options, callback);
    return original({ ...options, hostname: '127.0.0.1', port }, callback);
  }) as typeof http.request);

  await expect(getQueueUrl()).resolves.toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/q');

  expect(hostsAsked).toEqual(['169.254.170.2', '127.0.0.1']);
  expect(credentialRequests()).toEqual([
    expect.objectContaining({
      path: '/v2/credentials/0123-abcd',
      headers: expect.objectContaining({ authorization: 'container-authorization-token' }),
    }),
  ]);
  expect(sqsRequest()?.headers['x-amz-security-token']).toBe('container-session-token');
});

test('a container endpoint that is configured but fails reports its own error, not the "no credentials" one', async () => {
  // Nothing listens on port 9.
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9/v2/credentials/function';

  await expect(getQueueUrl()).rejects.toThrow('Unable to connect to instance metadata service');
  expect(requests).toEqual([]);
});

test('with neither source, the error names both and nothing is asked of any endpoint (no instance metadata probe)', async () => {
  const request = jest.spyOn(http, 'request');

  await expect(getQueueUrl()).rejects.toThrow(NO_LAMBDA_CREDENTIALS);
  expect(NO_LAMBDA_CREDENTIALS).toMatch(/AWS_ACCESS_KEY_ID.*AWS_CONTAINER_CREDENTIALS_FULL_URI/);
  expect(request).not.toHaveBeenCalled();
  expect(requests).toEqual([]);
});

test('credentials are fetched once per client, not per request (SDK clients leave caching to the default provider)', async () => {
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/v2/credentials/function`;

  await expect(getQueueUrl(3)).resolves.toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/q');

  expect(requests.filter((request) => request.method === 'POST')).toHaveLength(3);
  expect(credentialRequests()).toHaveLength(1);
});

test('credentials within five minutes of expiry are fetched again, as is any after forceRefresh; a failure is not remembered', async () => {
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/v2/credentials/function`;
  const chain = sdk.credentialProviders.fromNodeProviderChain();

  containerCredentialsLifetimeMs = 4 * 60_000;
  await chain();
  await chain();
  expect(credentialRequests()).toHaveLength(2);

  containerCredentialsLifetimeMs = 6 * 60_000;
  await chain();
  await chain();
  expect(credentialRequests()).toHaveLength(3);
  await chain({ forceRefresh: true });
  expect(credentialRequests()).toHaveLength(4);

  // Nothing listens on port 9: the next call fails, and the one after asks again.
  const failing = sdk.credentialProviders.fromNodeProviderChain();
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9/v2/credentials/function';
  await expect(failing()).rejects.toThrow('Unable to connect to instance metadata service');
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/v2/credentials/function`;
  await expect(failing()).resolves.toMatchObject({ accessKeyId: 'ASIACONTAINEREXAMPLE' });
  expect(credentialRequests()).toHaveLength(5);
});

test('@aws-sdk/credential-providers (fromNodeProviderChain) is the same chain in a bundle', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'ASIAENVIRONMENTEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'environment-secret';
  await expect(sdk.credentialProviders.fromNodeProviderChain()()).resolves.toMatchObject({
    accessKeyId: 'ASIAENVIRONMENTEXAMPLE',
    secretAccessKey: 'environment-secret',
  });
  delete process.env.AWS_ACCESS_KEY_ID;
  await expect(sdk.credentialProviders.fromNodeProviderChain()()).rejects.toThrow(NO_LAMBDA_CREDENTIALS);
});

describe('the module itself, unbundled (what coverage measures; the same code the bundles carry)', () => {
  test('environment first, then the container endpoint with its token, remembered until near expiry', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAENVIRONMENTEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'environment-secret';
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/v2/credentials/function`;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'container-authorization-token';
    await expect(sourceChain.defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAENVIRONMENTEXAMPLE',
    });
    expect(credentialRequests()).toEqual([]);

    delete process.env.AWS_ACCESS_KEY_ID;
    const chain = sourceChain.fromNodeProviderChain();
    await expect(chain()).resolves.toMatchObject({ accessKeyId: 'ASIACONTAINEREXAMPLE' });
    await chain();
    expect(credentialRequests()).toEqual([
      expect.objectContaining({
        path: '/v2/credentials/function',
        headers: expect.objectContaining({ authorization: 'container-authorization-token' }),
      }),
    ]);
    containerCredentialsLifetimeMs = 60_000;
    await chain({ forceRefresh: true });
    await chain();
    expect(credentialRequests()).toHaveLength(3);
  });

  test('with neither source, the error names both', async () => {
    await expect(sourceChain.defaultProvider()()).rejects.toThrow(NO_LAMBDA_CREDENTIALS);
  });
});
