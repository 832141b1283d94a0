import { AppError } from '../../../lambda/shared/errors';
import { metrics } from '../../../lambda/shared/powertools';
import {
  DependencyBreaker,
  breakerSnapshots,
  getBreaker,
  resetBreakers,
} from '../../../lambda/shared/breaker';

const refused = () =>
  Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
const unique = () => Promise.reject(Object.assign(new Error('duplicate key'), { code: '23505' }));

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
  resetBreakers();
});

describe('DependencyBreaker', () => {
  it('opens after N consecutive infrastructure failures and reports seconds until the probe', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const breaker = new DependencyBreaker('queue', { consecutiveFailures: 3, halfOpenAfterMs: 30_000 });
    for (let i = 0; i < 3; i += 1)
      await expect(breaker.execute(refused)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(breaker.state).toBe('open');

    jest.setSystemTime(1_000_000 + 12_500);
    const error = await breaker.execute(() => Promise.resolve('never runs')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503, retryAfterSeconds: 18 });
    expect(breaker.snapshot()).toEqual({ name: 'queue', state: 'open', retryAfterSeconds: 18 });

    jest.setSystemTime(1_000_000 + 30_001);
    await expect(breaker.execute(() => Promise.resolve('probe ok'))).resolves.toBe('probe ok');
    expect(breaker.snapshot()).toEqual({ name: 'queue', state: 'closed', retryAfterSeconds: 0 });
  });

  it('re-opens when the half-open probe fails', async () => {
    jest.useFakeTimers({ now: 0 });
    const breaker = new DependencyBreaker('db', { consecutiveFailures: 1, halfOpenAfterMs: 1000 });
    await expect(breaker.execute(refused)).rejects.toBeDefined();
    jest.setSystemTime(1001);
    await expect(breaker.execute(refused)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(() => Promise.resolve(1))).rejects.toMatchObject({ retryAfterSeconds: 1 });
  });

  it('ignores client errors: a unique violation never opens it', async () => {
    const breaker = new DependencyBreaker('db', { consecutiveFailures: 2 });
    for (let i = 0; i < 5; i += 1)
      await expect(breaker.execute(unique)).rejects.toMatchObject({ code: '23505' });
    expect(breaker.state).toBe('closed');
  });

  it('publishes a metric on every state change', async () => {
    const single = { addDimension: jest.fn(), addMetric: jest.fn() };
    jest.spyOn(metrics, 'singleMetric').mockReturnValue(single as never);
    const breaker = new DependencyBreaker('db', { consecutiveFailures: 1, halfOpenAfterMs: 60_000 });
    await breaker.execute(refused).catch(() => undefined);
    expect(single.addDimension).toHaveBeenCalledWith('Breaker', 'db');
    expect(single.addDimension).toHaveBeenCalledWith('State', 'open');
    expect(single.addMetric).toHaveBeenCalledWith('CircuitBreakerStateChange', 'Count', 1);
  });
});

describe('registry', () => {
  it('shares one breaker per name and lists them for readiness', async () => {
    expect(getBreaker('database')).toBe(getBreaker('database'));
    getBreaker('secretsManager');
    expect(breakerSnapshots().map((s) => s.name)).toEqual(['database', 'secretsManager']);
  });
});
