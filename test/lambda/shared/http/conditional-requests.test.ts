import { createHash } from 'node:crypto';
import { AppError } from '../../../../lambda/shared/errors';
import { api, assertIfMatch, etagOf } from '../../../../lambda/shared/http/api';
import { apiEvent, VIEWER_USER } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { invoke } from '../../../fixtures/invoke';
import {
  createProject,
  getProject,
  getProjectCached,
  publicStatus,
  updateProject,
} from '../../../fixtures/test-routes';

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

const project = { id: 'p-1', name: 'Roadmap', version: 3 };
const getEvent = (headers: Record<string, string> = {}) =>
  apiEvent({ path: '/api/v1/projects/p-1', pathParameters: { id: 'p-1' }, headers, authorizer: VIEWER_USER });

describe('conditional GET', () => {
  const handler = api(getProject, () => ({ status: 200, body: project }));

  it('sets a strong ETag: quoted base64url SHA-256 of the serialized body, equal to etagOf(value)', async () => {
    const res = await invoke(handler, getEvent());
    const expected = `"${createHash('sha256').update(JSON.stringify(project)).digest('base64url')}"`;
    expect(res.headers.etag).toBe(expected);
    expect(etagOf(project)).toBe(expected);
  });

  it('answers 304 with no body when If-None-Match matches (also weak, in a list, or *)', async () => {
    const etag = etagOf(project);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await invoke(handler, getEvent({ 'If-None-Match': ifNoneMatch }));
      expect({ ifNoneMatch, status: res.statusCode, body: res.body }).toEqual({
        ifNoneMatch,
        status: 304,
        body: '',
      });
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['content-type']).toBeUndefined();
    }
  });

  it('answers 200 with the body when If-None-Match does not match', async () => {
    const res = await invoke(handler, getEvent({ 'If-None-Match': '"stale"' }));
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual(project);
  });

  it('puts no ETag on writes or errors', async () => {
    const created = await invoke(
      api(createProject, () => ({ status: 200, body: project })),
      apiEvent({ method: 'POST', body: { name: 'x' } }),
    );
    expect(created.headers.etag).toBeUndefined();
    const failed = await invoke(
      api(getProject, () => {
        throw new AppError('NOT_FOUND');
      }),
      getEvent(),
    );
    expect(failed.statusCode).toBe(404);
    expect(failed.headers.etag).toBeUndefined();
  });
});

describe('If-Match for updates', () => {
  const current = { id: 'p-1', name: 'Roadmap', version: 3 };
  const handler = api(updateProject, (req) => {
    assertIfMatch(req.ifMatch, etagOf(current));
    return { status: 200, body: { ...current, name: req.body.name } };
  });
  const putEvent = (headers: Record<string, string>) =>
    apiEvent({
      method: 'PUT',
      path: '/api/v1/projects/p-1',
      pathParameters: { id: 'p-1' },
      body: { name: 'New' },
      headers,
    });

  it('passes when If-Match equals the current ETag', async () => {
    const res = await invoke(handler, putEvent({ 'If-Match': etagOf(current) }));
    expect(res.statusCode).toBe(200);
  });

  it('answers 412 PRECONDITION_FAILED with the current ETag on a mismatch or a weak tag', async () => {
    for (const ifMatch of ['"old"', `W/${etagOf(current)}`]) {
      const res = await invoke(handler, putEvent({ 'If-Match': ifMatch }));
      expect(res.statusCode).toBe(412);
      expect(res.json?.code).toBe('PRECONDITION_FAILED');
      expect(res.headers.etag).toBe(etagOf(current));
    }
  });

  it('answers 428 PRECONDITION_REQUIRED before the handler runs when a conditionalUpdate route gets no If-Match', async () => {
    const fn = jest.fn(() => ({ status: 200, body: {} }));
    const res = await invoke(api(updateProject, fn), putEvent({}));
    expect(res.statusCode).toBe(428);
    expect(res.json?.code).toBe('PRECONDITION_REQUIRED');
    expect(fn).not.toHaveBeenCalled();
  });

  it('assertIfMatch: * matches, absent passes unless required', () => {
    expect(() => assertIfMatch('*', '"x"')).not.toThrow();
    expect(() => assertIfMatch(undefined, '"x"')).not.toThrow();
    expect(() => assertIfMatch(undefined, '"x"', { required: true })).toThrow(
      expect.objectContaining({ code: 'PRECONDITION_REQUIRED' }),
    );
    expect(() => assertIfMatch('"a", "x"', '"x"')).not.toThrow();
  });
});

describe('Cache-Control per route', () => {
  it('no-store for authenticated routes without a TTL', async () => {
    const res = await invoke(
      api(getProject, () => ({ status: 200, body: {} })),
      getEvent(),
    );
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('private, max-age for authenticated routes with a TTL; also on 304', async () => {
    const handler = api(getProjectCached, () => ({ status: 200, body: project }));
    expect((await invoke(handler, getEvent())).headers['cache-control']).toBe('private, max-age=30');
    const notModified = await invoke(handler, getEvent({ 'If-None-Match': etagOf(project) }));
    expect(notModified.statusCode).toBe(304);
    expect(notModified.headers['cache-control']).toBe('private, max-age=30');
  });

  it('public, max-age for public routes with a TTL; no-store on their errors', async () => {
    const ok = await invoke(
      api(publicStatus, () => ({ status: 200, body: {} })),
      apiEvent({ path: '/api/v1/status', authorizer: null }),
    );
    expect(ok.headers['cache-control']).toBe('public, max-age=60');
    const failing = api(publicStatus, () => {
      throw new AppError('DEPENDENCY_UNAVAILABLE', { retryAfterSeconds: 5 });
    });
    const err = await invoke(failing, apiEvent({ path: '/api/v1/status', authorizer: null }));
    expect(err.headers['cache-control']).toBe('no-store');
    expect(err.headers['retry-after']).toBe('5');
  });

  it('no-store for writes', async () => {
    const res = await invoke(
      api(createProject, () => ({ status: 201, body: {} })),
      apiEvent({ method: 'POST', body: { name: 'x' } }),
    );
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('deprecation headers', () => {
  it('sends Deprecation (@unix seconds), Sunset (HTTP-date) and Link on success and on errors', async () => {
    const handler = api(updateProject, () => ({ status: 200, body: {} }));
    const put = (headers: Record<string, string>) =>
      apiEvent({
        method: 'PUT',
        path: '/api/v1/projects/p-1',
        pathParameters: { id: 'p-1' },
        body: { name: 'n' },
        headers,
      });
    for (const res of [await invoke(handler, put({ 'If-Match': '"x"' })), await invoke(handler, put({}))]) {
      expect(res.headers.deprecation).toBe('@1735689600');
      expect(res.headers.sunset).toBe('Thu, 01 Jan 2026 00:00:00 GMT');
      expect(res.headers.link).toBe('<https://docs.rampart.dev/migrations/v2>; rel="deprecation"');
    }
  });

  it('sends none of them for current routes', async () => {
    const res = await invoke(
      api(getProject, () => ({ status: 200, body: {} })),
      getEvent(),
    );
    expect(res.headers.deprecation).toBeUndefined();
    expect(res.headers.sunset).toBeUndefined();
  });
});
