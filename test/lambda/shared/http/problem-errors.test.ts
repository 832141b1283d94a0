import * as jwtErrors from 'aws-jwt-verify/error';
import { readFileSync } from 'node:fs';
import { DatabaseError } from 'pg';
import { join } from 'node:path';
import { ERROR_CATALOGUE } from '../../../../lambda/shared/errors';
import { api } from '../../../../lambda/shared/http/api';
import { problemSchema } from '../../../../lambda/shared/http/contract';
import { classifyError } from '../../../../lambda/shared/http/problem';
import { apiEvent } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { invoke } from '../../../fixtures/invoke';
import { publicStatus } from '../../../fixtures/test-routes';

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

async function thrownBy(error: unknown) {
  const handler = api(publicStatus, () => {
    throw error;
  });
  return invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
}

describe('aws-jwt-verify errors', () => {
  it('maps JwtExpiredError to 401 AUTH_TOKEN_EXPIRED', async () => {
    const res = await thrownBy(new jwtErrors.JwtExpiredError('Token expired at 2025-01-01', '1', '2'));
    expect(res.statusCode).toBe(401);
    expect(res.json?.code).toBe('AUTH_TOKEN_EXPIRED');
    expect(res.body).not.toContain('2025-01-01');
  });

  it.each([
    ['JwtParseError', new jwtErrors.JwtParseError('bad', new Error('x'))],
    ['JwtInvalidSignatureError', new jwtErrors.JwtInvalidSignatureError('sig')],
    ['JwtInvalidIssuerError', new jwtErrors.JwtInvalidIssuerError('iss', 'a', 'b')],
    ['JwtInvalidAudienceError', new jwtErrors.JwtInvalidAudienceError('aud', 'a', 'b')],
    ['JwtNotBeforeError', new jwtErrors.JwtNotBeforeError('nbf', '1', '2')],
    ['KidNotFoundInJwksError', new jwtErrors.KidNotFoundInJwksError('kid')],
  ])('maps %s to 401 AUTH_TOKEN_INVALID', async (_name, error) => {
    const res = await thrownBy(error);
    expect(res.statusCode).toBe(401);
    expect(res.json?.code).toBe('AUTH_TOKEN_INVALID');
  });

  it('maps by name when the class comes from another copy of the library', () => {
    const foreign = Object.assign(new Error('expired'), { name: 'JwtExpiredError' });
    expect(classifyError(foreign).code).toBe('AUTH_TOKEN_EXPIRED');
    const invalid = Object.assign(new Error('claim'), { name: 'JwtInvalidClaimError' });
    expect(classifyError(invalid).code).toBe('AUTH_TOKEN_INVALID');
  });

  it('treats a JWKS fetch failure as our dependency being down, not as a bad token', async () => {
    const res = await thrownBy(new jwtErrors.FetchError('https://idp/jwks', 'ECONNRESET'));
    expect(res.statusCode).toBe(503);
    expect(res.json?.code).toBe('DEPENDENCY_UNAVAILABLE');
  });
});

describe('PostgreSQL data exceptions (SQLSTATE class 22)', () => {
  /** A `pg` DatabaseError as the driver raises it: the server's message quotes the value. */
  function pgError(code: string, message: string): DatabaseError {
    const error = new DatabaseError(message, message.length, 'error');
    error.code = code;
    error.severity = 'ERROR';
    return error;
  }

  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00', 'UNSAFE_INPUT'],
    ['22001', 'value too long for type character varying(200)', 'VALIDATION_FAILED'],
    ['22P02', 'invalid input syntax for type uuid: "secret-ish"', 'VALIDATION_FAILED'],
    ['22003', 'value "99999999999" is out of range for type integer', 'VALIDATION_FAILED'],
    ['22007', 'invalid input syntax for type timestamp with time zone: "tomorrow"', 'VALIDATION_FAILED'],
    ['22008', 'date/time field value out of range: "2024-02-30"', 'VALIDATION_FAILED'],
    ['22012', 'division by zero', 'VALIDATION_FAILED'],
  ])(
    'maps %s to 400 %s, logs a warning and never shows the database message',
    async (sqlState, message, code) => {
      const res = await thrownBy(pgError(sqlState, message));
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.json).toMatchObject({ code, status: 400 });
      expect(res.json?.detail).not.toContain(message);
      expect(res.body).not.toMatch(
        /UTF8|varchar|character varying|uuid|integer|timestamp|date\/time|division/,
      );
      const lines = output.lines();
      expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
      const warning = lines.find((line) => line.level === 'WARN');
      // The log line keeps the database's message for whoever investigates; the client never sees it.
      expect(warning).toMatchObject({
        code,
        reason: 'database-data-exception',
        sqlState,
        error: { message },
      });
    },
  );

  it('recognises the bare shape, { code }, as another copy of pg would throw it', () => {
    expect(classifyError({ code: '22021' })).toMatchObject({ code: 'UNSAFE_INPUT', unexpected: false });
    expect(classifyError(Object.assign(new Error('x'), { code: '22P02' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      unexpected: false,
    });
  });

  it.each([['23505'], ['42601'], ['2200'], ['220000'], ['ECONNRESET'], ['XX000']])(
    'leaves other codes alone (%s is not a data exception)',
    (sqlState) => {
      expect(classifyError(Object.assign(new Error('x'), { code: sqlState })).code).toBe('INTERNAL');
    },
  );
});

describe('problem+json shape', () => {
  it('has every RFC 9457 member plus code and correlationId, with a type per code', async () => {
    const res = await thrownBy(new jwtErrors.JwtExpiredError('x', '1', '2'));
    expect(Object.keys(res.json ?? {}).sort()).toEqual(
      ['code', 'correlationId', 'detail', 'instance', 'status', 'title', 'type'].sort(),
    );
    expect(res.json?.type).toBe('https://docs.rampart.dev/errors#AUTH_TOKEN_EXPIRED');
    expect(res.json?.correlationId).toBe(res.headers['x-correlation-id']);
  });

  it('leaves instance out for a path longer than the contract allows, instead of breaking it', async () => {
    // A regional API Gateway accepts URLs of 10,240 characters: such a path reaches the function.
    const long = `/api/v1/status/${'a'.repeat(10_000)}`;
    const handler = api(publicStatus, () => {
      throw new jwtErrors.JwtExpiredError('x', '1', '2');
    });
    const res = await invoke(handler, apiEvent({ path: long, authorizer: null }));
    expect(res.statusCode).toBe(401);
    expect(res.json?.instance).toBeUndefined();
    expect(problemSchema.safeParse(res.json).success).toBe(true);
    const short = await thrownBy(new jwtErrors.JwtExpiredError('x', '1', '2'));
    expect(short.json?.instance).toBe('/api/v1/status');
  });
});

describe('docs/errors.md', () => {
  const doc = readFileSync(join(__dirname, '../../../../docs/errors.md'), 'utf8');
  const documented = [...doc.matchAll(/^## ([A-Z_]+) \((\d{3})\)$/gm)].map(([, code, status]) => ({
    code,
    status: Number(status),
  }));

  it('documents every catalogue code with its status, and nothing else', () => {
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, { status }]) => ({ code, status }));
    const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code);
    expect([...documented].sort(byCode)).toEqual([...catalogue].sort(byCode));
  });

  it('has an anchor for each code, which is where problem types point', () => {
    for (const code of Object.keys(ERROR_CATALOGUE)) {
      expect(doc).toContain(`<a id="${code}"></a>`);
      const status = ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].status;
      expect(doc).toMatch(new RegExp(`^\\| \`${code}\` +\\| ${status} +\\|$`, 'm'));
    }
  });
});
