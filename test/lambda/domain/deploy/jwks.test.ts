import { fetchJwks, type Fetch } from '../../../../lambda/domain/deploy/jwks';

const KEY = { kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig', n: 'AQAB-n', e: 'AQAB', x5c: ['long'] };

function answering(status: number, body: string): Fetch {
  return async () => ({ ok: status < 300, status, text: async () => body });
}

test('returns the RSA keys, reduced to what verification needs', async () => {
  const jwks = await fetchJwks(
    'https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json',
    answering(200, JSON.stringify({ keys: [KEY, { kty: 'EC', kid: 'e' }] })),
  );
  expect(jwks).toEqual({
    keys: [{ kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig', n: 'AQAB-n', e: 'AQAB' }],
  });
});

test.each([
  ['http URL', 'http://example.com/jwks.json', answering(200, '{}'), /must be https/],
  ['HTTP error', 'https://x/jwks.json', answering(503, ''), /answered 503/],
  [
    'no RSA key',
    'https://x/jwks.json',
    answering(200, JSON.stringify({ keys: [{ kty: 'EC' }] })),
    /no RSA signing keys/,
  ],
  ['not JSON', 'https://x/jwks.json', answering(200, '<html>'), /JSON/],
])('refuses a %s', async (_case, url, fetchImpl, error) => {
  await expect(fetchJwks(url, fetchImpl)).rejects.toThrow(error);
});

test('gives up after the timeout', async () => {
  const hanging: Fetch = (_url, { signal }) =>
    new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  await expect(fetchJwks('https://x/jwks.json', hanging, 20)).rejects.toThrow('aborted');
});
