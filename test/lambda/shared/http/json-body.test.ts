import { api } from '../../../../lambda/shared/http/api';
import { base64DecodedLength } from '../../../../lambda/shared/http/json-body';
import { apiEvent } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { createHandler } from '../../../fixtures/create-handler';
import { invoke } from '../../../fixtures/invoke';
import { getProject } from '../../../fixtures/test-routes';

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

const post = (body: string | undefined, headers: Record<string, string> = {}, isBase64Encoded = false) =>
  apiEvent({ method: 'POST', body, headers, isBase64Encoded });

describe('body size guard', () => {
  it('accepts a body of exactly the limit and rejects one byte more with 413, before parsing', async () => {
    const { fn, handler } = createHandler();
    const envelope = JSON.stringify({ name: '' });
    const atLimit = JSON.stringify({ name: 'n'.repeat(4096 - envelope.length) });
    expect(Buffer.byteLength(atLimit)).toBe(4096);
    // At the limit: passes the guard (then fails the schema's maxLength, proving it was parsed).
    const ok = await invoke(handler, post(atLimit));
    expect(ok.json?.code).toBe('VALIDATION_FAILED');

    // One byte over, and not even JSON: 413 proves the guard runs before the parser.
    const over = await invoke(handler, post('x'.repeat(4097)));
    expect(over.statusCode).toBe(413);
    expect(over.json?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(fn).not.toHaveBeenCalled();
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const { handler } = createHandler();
    // 1400 characters of 3 bytes each = 4200 bytes > 4096, although only 1400 characters.
    const res = await invoke(handler, post(JSON.stringify({ name: '€'.repeat(1400) })));
    expect(res.statusCode).toBe(413);
  });

  it('measures base64 bodies by their decoded length', async () => {
    const { fn, handler } = createHandler();
    // 1100 three-byte characters: ~3300 bytes decoded (under 4096), ~4400 as base64 (over it).
    const json = JSON.stringify({ name: 'ok', description: '€'.repeat(1100) });
    const encoded = Buffer.from(json).toString('base64');
    expect(encoded.length).toBeGreaterThan(4096);
    const res = await invoke(handler, post(encoded, {}, true));
    expect(res.statusCode).toBe(201);
    expect(fn).toHaveBeenCalledTimes(1);

    const tooBig = Buffer.from(JSON.stringify({ name: 'x'.repeat(4200) })).toString('base64');
    expect((await invoke(handler, post(tooBig, {}, true))).statusCode).toBe(413);
  });

  it('computes decoded base64 length exactly', () => {
    for (let n = 0; n < 50; n++) {
      const data = Buffer.alloc(n, 7);
      expect(base64DecodedLength(data.toString('base64'))).toBe(n);
    }
  });
});

describe('media type and JSON parsing', () => {
  it.each([
    ['missing content type', undefined],
    ['text/plain', 'text/plain'],
    ['form encoded', 'application/x-www-form-urlencoded'],
    ['json lookalike', 'application/jsonp'],
  ])('answers 415 for %s', async (_label, contentType) => {
    const { fn, handler } = createHandler();
    const event = post('{"name":"a"}');
    delete event.headers['Content-Type'];
    delete event.multiValueHeaders['Content-Type'];
    if (contentType !== undefined) event.headers['Content-Type'] = contentType;
    const res = await invoke(handler, event);
    expect(res.statusCode).toBe(415);
    expect(res.json?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(fn).not.toHaveBeenCalled();
  });

  it('accepts application/json with parameters and +json media types', async () => {
    const { handler } = createHandler();
    for (const contentType of [
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'Application/JSON',
    ]) {
      const res = await invoke(handler, post('{"name":"a"}', { 'Content-Type': contentType }));
      expect({ contentType, status: res.statusCode }).toEqual({ contentType, status: 201 });
    }
  });

  it('answers 400 MALFORMED_JSON without echoing the input', async () => {
    const { fn, handler } = createHandler();
    const res = await invoke(handler, post('{"name": "secret-value",'));
    expect(res.statusCode).toBe(400);
    expect(res.json?.code).toBe('MALFORMED_JSON');
    expect(res.body).not.toContain('secret-value');
    expect(fn).not.toHaveBeenCalled();
  });

  it('rejects any body on a route without a body schema', async () => {
    const fn = jest.fn(() => ({ status: 200, body: {} }));
    const handler = api(getProject, fn);
    const res = await invoke(
      handler,
      apiEvent({ path: '/api/v1/projects/p-1', pathParameters: { id: 'p-1' }, body: { sneaky: true } }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json?.errors).toEqual([{ field: 'body', message: 'must be empty' }]);
    expect(fn).not.toHaveBeenCalled();
  });

  it('passes a missing body to the schema, which reports it as required', async () => {
    const { fn, handler } = createHandler();
    const res = await invoke(handler, apiEvent({ method: 'POST' }));
    expect(res.statusCode).toBe(400);
    expect(res.json?.errors).toEqual([{ field: 'body', message: 'is required' }]);
    expect(fn).not.toHaveBeenCalled();
  });
});
