import { AppError } from '../../../lambda/shared/errors';
import { api } from '../../../lambda/shared/http/api';
import {
  parseUsagePlanLimits,
  rateLimitPolicy,
  type UsagePlanLimits,
} from '../../../lambda/shared/rate-limit-headers';
import {
  apiEvent,
  EDITOR_USER,
  READ_API_KEY,
  WRITE_CLIENT,
  type AuthorizerContextFixture,
} from '../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../fixtures/captured-output';
import { invoke } from '../../fixtures/invoke';
import { createProject, getProject } from '../../fixtures/test-routes';

const LIMITS = {
  free: { rateLimit: 5, burstLimit: 10, quotaLimit: 1000, quotaPeriod: 'DAY' },
  standard: { rateLimit: 50.5, burstLimit: 100, quotaLimit: 100000, quotaPeriod: 'MONTH' },
  premium: { rateLimit: 500, burstLimit: 1000, quotaLimit: 5000000, quotaPeriod: 'WEEK' },
} as const satisfies Record<string, UsagePlanLimits>;

const FREE_KEY = { ...READ_API_KEY, tier: 'free' };
const FREE_POLICY = '"free";q=1000;w=86400, "free-rate";q=5;w=1';

let output: CapturedOutput;
let savedEnv: string | undefined;
beforeAll(() => {
  output = captureStdout();
  savedEnv = process.env.USAGE_PLAN_LIMITS;
});
afterEach(() => {
  output.clear();
  if (savedEnv === undefined) delete process.env.USAGE_PLAN_LIMITS;
  else process.env.USAGE_PLAN_LIMITS = savedEnv;
});
afterAll(() => output.restore());

describe('rateLimitPolicy (draft-ietf-httpapi-ratelimit-headers syntax)', () => {
  it('names the quota after the tier and adds the steady rate per second', () => {
    expect(rateLimitPolicy('free', LIMITS.free)).toBe(FREE_POLICY);
    expect(rateLimitPolicy('standard', LIMITS.standard)).toBe(
      '"standard";q=100000;w=2592000, "standard-rate";q=50;w=1',
    );
    expect(rateLimitPolicy('premium', LIMITS.premium)).toBe(
      '"premium";q=5000000;w=604800, "premium-rate";q=500;w=1',
    );
  });
});

describe('parseUsagePlanLimits', () => {
  it('reads the tiers it is given', () => {
    expect(parseUsagePlanLimits(JSON.stringify({ free: LIMITS.free }))).toEqual({ free: LIMITS.free });
  });
  it.each([
    ['[]', 'JSON object'],
    [JSON.stringify({ free: { ...LIMITS.free, quotaLimit: 0 } }), 'USAGE_PLAN_LIMITS.free'],
    [JSON.stringify({ premium: { ...LIMITS.premium, quotaPeriod: 'YEAR' } }), 'USAGE_PLAN_LIMITS.premium'],
    [JSON.stringify({ standard: { rateLimit: 1 } }), 'USAGE_PLAN_LIMITS.standard'],
  ])('rejects %s', (raw, message) => {
    expect(() => parseUsagePlanLimits(raw)).toThrow(message);
  });
});

describe('through the real wrapper', () => {
  const build = () => {
    process.env.USAGE_PLAN_LIMITS = JSON.stringify(LIMITS);
    return {
      get: api(getProject, (req) => {
        if (req.path.id === 'p-missing') throw new AppError('NOT_FOUND');
        return { status: 200, body: { id: req.path.id } };
      }),
      create: api(createProject, () => ({ status: 201, body: {} })),
    };
  };
  const getEvent = (authorizer: AuthorizerContextFixture, id = 'p-1') =>
    apiEvent({
      path: `/api/v1/projects/${id}`,
      resource: '/api/v1/projects/{id}',
      pathParameters: { id },
      authorizer,
    });

  it('API-key callers get RateLimit-Policy for their tier on success and on every error, never RateLimit', async () => {
    const { get, create } = build();
    const ok = await invoke(get, getEvent(FREE_KEY));
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['ratelimit-policy']).toBe(FREE_POLICY);
    expect(ok.headers).not.toHaveProperty('ratelimit');

    const notFound = await invoke(get, getEvent(FREE_KEY, 'p-missing'));
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers['ratelimit-policy']).toBe(FREE_POLICY);

    const forbidden = await invoke(
      create,
      apiEvent({ method: 'POST', body: { name: 'x' }, authorizer: FREE_KEY }),
    );
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['ratelimit-policy']).toBe(FREE_POLICY);

    const premium = await invoke(get, getEvent({ ...READ_API_KEY, tier: 'premium' }));
    expect(premium.headers['ratelimit-policy']).toBe(rateLimitPolicy('premium', LIMITS.premium));
  });

  it('other callers, and keys without a known tier, get no RateLimit-Policy', async () => {
    const { get } = build();
    for (const authorizer of [EDITOR_USER, WRITE_CLIENT, READ_API_KEY, { ...READ_API_KEY, tier: 'gold' }]) {
      const res = await invoke(get, getEvent(authorizer));
      expect(res.statusCode).toBe(200);
      expect(res.headers).not.toHaveProperty('ratelimit-policy');
    }
  });

  it('an invalid USAGE_PLAN_LIMITS turns the header off and is logged, never failing requests', async () => {
    process.env.USAGE_PLAN_LIMITS = '{"free": 1}';
    const get = api(getProject, () => ({ status: 200, body: {} }));
    const res = await invoke(get, getEvent(FREE_KEY));
    expect(res.statusCode).toBe(200);
    expect(res.headers).not.toHaveProperty('ratelimit-policy');
    expect(output.lines()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: expect.stringContaining('USAGE_PLAN_LIMITS is invalid'),
      }),
    );
  });
});
