import { api } from '../../../../lambda/shared/http/api';
import { corsConfigFromEnv } from '../../../../lambda/shared/http/cors';
import { apiEvent } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { invoke } from '../../../fixtures/invoke';
import { getProject, publicStatus } from '../../../fixtures/test-routes';

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

const statusEvent = (origin?: string) =>
  apiEvent({
    path: '/api/v1/status',
    authorizer: null,
    headers: origin === undefined ? {} : { Origin: origin },
  });

describe('corsConfigFromEnv', () => {
  it('reads a comma list, trimming spaces and trailing slashes', () => {
    expect(
      corsConfigFromEnv({ CORS_ALLOWED_ORIGINS: ' https://app.example.com/, http://localhost:5173 ' }),
    ).toMatchObject({
      allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
      allowCredentials: false,
    });
  });

  it('is disabled when unset or empty', () => {
    expect(corsConfigFromEnv({}).allowedOrigins).toEqual([]);
    expect(corsConfigFromEnv({ CORS_ALLOWED_ORIGINS: ' , ' }).allowedOrigins).toEqual([]);
  });

  it('refuses * together with credentials, and malformed origins', () => {
    expect(() => corsConfigFromEnv({ CORS_ALLOWED_ORIGINS: '*', CORS_ALLOW_CREDENTIALS: 'true' })).toThrow(
      /exact origins/,
    );
    expect(() => corsConfigFromEnv({ CORS_ALLOWED_ORIGINS: 'https://*.example.com' })).toThrow(
      /not an origin/,
    );
    expect(() => corsConfigFromEnv({ CORS_ALLOWED_ORIGINS: 'app.example.com' })).toThrow(/not an origin/);
  });
});

describe('CORS through the wrapper', () => {
  const config = corsConfigFromEnv({
    CORS_ALLOWED_ORIGINS: 'https://app.example.com',
    CORS_ALLOW_CREDENTIALS: 'true',
  });

  it('echoes an allowed origin with credentials and exposed headers, and varies on Origin', async () => {
    const res = await invoke(
      api(publicStatus, () => ({ status: 200, body: {} }), { cors: config }),
      statusEvent('https://app.example.com'),
    );
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-expose-headers']).toContain('x-correlation-id');
    expect(res.headers.vary).toBe('Origin');
  });

  it('sends no allow headers to other origins but still varies on Origin', async () => {
    const res = await invoke(
      api(publicStatus, () => ({ status: 200, body: {} }), { cors: config }),
      statusEvent('https://evil.example'),
    );
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toBe('Origin');
  });

  it('adds the headers to error responses too', async () => {
    const res = await invoke(
      api(getProject, () => ({ status: 200, body: {} }), { cors: config }),
      apiEvent({
        path: '/api/v1/projects/p-1',
        pathParameters: { id: 'p-1' },
        authorizer: null,
        headers: { origin: 'https://app.example.com' },
      }),
    );
    expect(res.statusCode).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it('answers * without credentials when configured with *', async () => {
    const wildcard = corsConfigFromEnv({ CORS_ALLOWED_ORIGINS: '*' });
    const res = await invoke(
      api(publicStatus, () => ({ status: 200, body: {} }), { cors: wildcard }),
      statusEvent('https://any.example'),
    );
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('sends no CORS headers at all when no origins are configured', async () => {
    const res = await invoke(
      api(publicStatus, () => ({ status: 200, body: {} }), { cors: corsConfigFromEnv({}) }),
      statusEvent('https://app.example.com'),
    );
    expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(res.headers.vary).toBeUndefined();
  });
});
