import { api } from '../../../../lambda/shared/http/api';
import { apiEvent } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { invoke } from '../../../fixtures/invoke';
import { publicStatus, slowReport } from '../../../fixtures/test-routes';

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

const adminEvent = () =>
  apiEvent({ path: '/api/v1/reports', authorizer: { sub: 'a', roles: 'admin', authType: 'user' } });

/** A query that honours the abort signal, like pg with a cancel-on-abort wrapper. */
function cancellableQuery(ms: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('rows'), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

describe('timeout guard', () => {
  it("answers 504 TIMEOUT at the route's timeoutMs and aborts the handler's signal", async () => {
    let signal: AbortSignal | undefined;
    let remainingAtStart = -1;
    const handler = api(
      slowReport,
      async (req) => {
        signal = req.signal;
        remainingAtStart = req.remainingMs();
        return { status: 200, body: await cancellableQuery(5_000, req.signal) };
      },
      { timeoutEarlyMs: 20 },
    );
    const started = Date.now();
    const res = await invoke(handler, adminEvent(), { timeoutMs: 30_000 });
    const elapsed = Date.now() - started;

    expect(res.statusCode).toBe(504);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json?.code).toBe('TIMEOUT');
    expect(signal?.aborted).toBe(true);
    // Route budget is 60 ms; the Lambda had 30 s.
    expect(remainingAtStart).toBeGreaterThan(0);
    expect(remainingAtStart).toBeLessThanOrEqual(60);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('answers before the Lambda deadline when that comes first', async () => {
    const handler = api(
      publicStatus,
      async (req) => ({ status: 200, body: await cancellableQuery(5_000, req.signal) }),
      {
        timeoutEarlyMs: 50,
      },
    );
    const started = Date.now();
    const res = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }), {
      timeoutMs: 150,
    });
    expect(res.statusCode).toBe(504);
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('lets a handler that finishes in time answer normally', async () => {
    const handler = api(slowReport, async (req) => ({
      status: 200,
      body: await cancellableQuery(5, req.signal),
    }));
    const res = await invoke(handler, adminEvent());
    expect(res.statusCode).toBe(200);
    expect(res.json).toBe('rows');
  });

  it('maps an AbortError/TimeoutError thrown by the handler itself to 504', async () => {
    const handler = api(publicStatus, () => {
      throw new DOMException('statement timeout', 'TimeoutError');
    });
    const res = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
    expect(res.statusCode).toBe(504);
    expect(res.json?.code).toBe('TIMEOUT');
  });
});

describe('timeout guard, per request', () => {
  it('answers 504 at the deadline even when the handler ignores its signal', async () => {
    const handler = api(slowReport, async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { status: 200, body: 'late' };
    });
    const started = Date.now();
    const res = await invoke(handler, adminEvent(), { timeoutMs: 30_000 });
    expect(res.statusCode).toBe(504);
    expect(res.json?.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it("one request's timeout does not abort a concurrent request's signal", async () => {
    const signals: AbortSignal[] = [];
    const slow = api(slowReport, async (req) => {
      signals.push(req.signal);
      return { status: 200, body: await cancellableQuery(5_000, req.signal) };
    });
    const quick = api(publicStatus, async (req) => {
      signals.push(req.signal);
      return { status: 200, body: await cancellableQuery(150, req.signal) };
    });
    const [slowRes, quickRes] = await Promise.all([
      invoke(slow, adminEvent(), { timeoutMs: 30_000 }),
      invoke(quick, apiEvent({ path: '/api/v1/status', authorizer: null }), { timeoutMs: 30_000 }),
    ]);
    expect(slowRes.statusCode).toBe(504);
    expect(quickRes.statusCode).toBe(200);
    expect(quickRes.json).toBe('rows');
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals.filter((signal) => signal.aborted)).toHaveLength(1);
  });
});
