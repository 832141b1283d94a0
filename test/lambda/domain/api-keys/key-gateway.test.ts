import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
  GetUsageCommand,
  GetUsagePlansCommand,
  NotFoundException,
  TooManyRequestsException,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  ApiGatewayKeyGateway,
  daysBetween,
  parseUsagePlanIds,
  usagePlanRefsFromEnv,
} from '../../../../lambda/domain/api-keys/key-gateway';
import { LocalKeyGateway } from '../../../../lambda/domain/api-keys/local-key-gateway';
import { AppError } from '../../../../lambda/shared/errors';

const PLANS = { free: 'plan-free', standard: 'plan-std', premium: 'plan-prem' } as const;
const apigw = mockClient(APIGatewayClient);
let gateway: ApiGatewayKeyGateway;

beforeEach(() => {
  apigw.reset();
  gateway = new ApiGatewayKeyGateway(new APIGatewayClient({ region: 'eu-west-1', maxAttempts: 1 }), PLANS, {
    consecutiveFailures: 3,
    halfOpenAfterMs: 60_000,
  });
});

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('ApiGatewayKeyGateway sends exactly these requests', () => {
  it('keyIdsByValue: GetApiKeys with values, every page (the standby key recreation)', async () => {
    apigw
      .on(GetApiKeysCommand, { includeValues: true, limit: 500, position: undefined })
      .resolves({ items: [{ id: 'k-1', value: 'a'.repeat(40) }, { id: 'k-2' }], position: 'p2' })
      .on(GetApiKeysCommand, { includeValues: true, limit: 500, position: 'p2' })
      .resolves({ items: [{ id: 'k-3', value: 'b'.repeat(40) }] });
    const byValue = await gateway.keyIdsByValue();
    expect([...byValue]).toEqual([
      ['a'.repeat(40), 'k-1'],
      ['b'.repeat(40), 'k-3'],
    ]);
    expect(apigw).toHaveReceivedCommandTimes(GetApiKeysCommand, 2);
  });

  it('createKey: CreateApiKey with the given name, value and enabled flag; returns the id', async () => {
    apigw.on(CreateApiKeyCommand).resolves({ id: 'k-123' });
    await expect(gateway.createKey('rampart-x', 'v'.repeat(40), true)).resolves.toBe('k-123');
    expect(apigw).toHaveReceivedCommandTimes(CreateApiKeyCommand, 1);
    expect(apigw).toHaveReceivedCommandWith(CreateApiKeyCommand, {
      name: 'rampart-x',
      value: 'v'.repeat(40),
      enabled: true,
    });
    expect(apigw.commandCalls(CreateApiKeyCommand)[0].args[0].input).toEqual({
      name: 'rampart-x',
      value: 'v'.repeat(40),
      enabled: true,
    });
  });

  it('attachToUsagePlan: CreateUsagePlanKey on the tier plan; already attached is success', async () => {
    apigw
      .on(CreateUsagePlanKeyCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConflictException({ message: 'exists', ...metadata(409) }));
    await gateway.attachToUsagePlan('k-1', 'standard');
    await gateway.attachToUsagePlan('k-1', 'standard');
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'plan-std', keyId: 'k-1', keyType: 'API_KEY' },
      { usagePlanId: 'plan-std', keyId: 'k-1', keyType: 'API_KEY' },
    ]);
  });

  it('disableKey: UpdateApiKey replacing /enabled with "false"; a missing key is success', async () => {
    apigw
      .on(UpdateApiKeyCommand)
      .resolvesOnce({})
      .rejectsOnce(new NotFoundException({ message: 'x', ...metadata(404) }));
    await gateway.disableKey('k-9');
    await gateway.disableKey('k-gone');
    expect(apigw.commandCalls(UpdateApiKeyCommand).map((c) => c.args[0].input)).toEqual([
      { apiKey: 'k-9', patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] },
      { apiKey: 'k-gone', patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] },
    ]);
  });

  it('deleteKey: DeleteApiKey; a missing key is success (cleanup is idempotent)', async () => {
    apigw.on(DeleteApiKeyCommand).rejects(new NotFoundException({ message: 'x', ...metadata(404) }));
    await gateway.deleteKey('k-7');
    expect(apigw).toHaveReceivedCommandWith(DeleteApiKeyCommand, { apiKey: 'k-7' });
    expect(apigw.commandCalls(DeleteApiKeyCommand)[0].args[0].input).toEqual({ apiKey: 'k-7' });
  });

  it('getUsage: GetUsage on the tier plan for the key and days; one entry per day, gaps as 0', async () => {
    apigw.on(GetUsageCommand).resolves({
      usagePlanId: 'plan-free',
      startDate: '2025-03-01',
      endDate: '2025-03-03',
      items: {
        'k-1': [
          [5, 995],
          [0, 1000],
        ],
      },
    });
    await expect(gateway.getUsage('k-1', 'free', '2025-03-01', '2025-03-03')).resolves.toEqual([
      { date: '2025-03-01', used: 5, remaining: 995 },
      { date: '2025-03-02', used: 0, remaining: 1000 },
      { date: '2025-03-03', used: 0, remaining: null },
    ]);
    expect(apigw.commandCalls(GetUsageCommand)[0].args[0].input).toEqual({
      usagePlanId: 'plan-free',
      keyId: 'k-1',
      startDate: '2025-03-01',
      endDate: '2025-03-03',
    });
  });

  it('getUsage of a deleted key is 404 NOT_FOUND', async () => {
    apigw.on(GetUsageCommand).rejects(new NotFoundException({ message: 'x', ...metadata(404) }));
    await expect(gateway.getUsage('k-1', 'free', '2025-03-01', '2025-03-01')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('ApiGatewayKeyGateway failures', () => {
  it('throttling and 5xx become 503 DEPENDENCY_UNAVAILABLE, and open the breaker', async () => {
    apigw
      .on(UpdateApiKeyCommand)
      .rejects(new TooManyRequestsException({ message: 'slow', ...metadata(429) }));
    for (let i = 0; i < 3; i += 1) {
      await expect(gateway.disableKey('k')).rejects.toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
        status: 503,
      });
    }
    // Open: the SDK is no longer called.
    await expect(gateway.disableKey('k')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(apigw).toHaveReceivedCommandTimes(UpdateApiKeyCommand, 3);
  });

  it('a network error (no HTTP response) is 503', async () => {
    apigw.on(CreateApiKeyCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(gateway.createKey('n', 'v'.repeat(30), true)).rejects.toBeInstanceOf(AppError);
  });

  it('a client error (our bug, e.g. missing permission) is not disguised as an outage', async () => {
    const denied = Object.assign(new Error('not authorized'), {
      name: 'UnauthorizedException',
      ...metadata(403),
    });
    apigw.on(CreateApiKeyCommand).rejects(denied);
    await expect(gateway.createKey('n', 'v'.repeat(30), true)).rejects.toBe(denied);
  });
});

describe('usage plans by name (what the Api stack configures)', () => {
  const names = {
    free: 'rampart-dev-free',
    standard: 'rampart-dev-standard',
    premium: 'rampart-dev-premium',
  };

  test('USAGE_PLAN_NAMES wins over ids and is parsed per tier', () => {
    expect(usagePlanRefsFromEnv({ USAGE_PLAN_NAMES: JSON.stringify(names) })).toEqual({ names });
    expect(() => usagePlanRefsFromEnv({ USAGE_PLAN_NAMES: '{"free":"x"}' })).toThrow(
      'USAGE_PLAN_NAMES has no usage plan for tier "standard"',
    );
  });

  test('names are resolved once with GetUsagePlans (paginated), then the plan id is used', async () => {
    const byName = new ApiGatewayKeyGateway(
      new APIGatewayClient({ region: 'eu-west-1', maxAttempts: 1 }),
      { names },
      {
        consecutiveFailures: 3,
        halfOpenAfterMs: 60_000,
      },
    );
    apigw
      .on(GetUsagePlansCommand, { position: undefined, limit: 500 })
      .resolves({
        items: [
          { id: 'p-free', name: 'rampart-dev-free' },
          { id: 'p-other', name: 'other' },
        ],
        position: 'next',
      })
      .on(GetUsagePlansCommand, { position: 'next', limit: 500 })
      .resolves({
        items: [
          { id: 'p-std', name: 'rampart-dev-standard' },
          { id: 'p-prem', name: 'rampart-dev-premium' },
        ],
      });
    apigw.on(CreateUsagePlanKeyCommand).resolves({});
    await byName.attachToUsagePlan('key-1', 'standard');
    await byName.attachToUsagePlan('key-2', 'premium');
    expect(apigw).toHaveReceivedCommandTimes(GetUsagePlansCommand, 2);
    expect(apigw).toHaveReceivedCommandWith(CreateUsagePlanKeyCommand, {
      usagePlanId: 'p-std',
      keyId: 'key-1',
      keyType: 'API_KEY',
    });
    expect(apigw).toHaveReceivedCommandWith(CreateUsagePlanKeyCommand, {
      usagePlanId: 'p-prem',
      keyId: 'key-2',
      keyType: 'API_KEY',
    });
  });

  test('a missing plan name fails loudly and is looked up again next time', async () => {
    const byName = new ApiGatewayKeyGateway(
      new APIGatewayClient({ region: 'eu-west-1', maxAttempts: 1 }),
      { names },
      {
        consecutiveFailures: 3,
        halfOpenAfterMs: 60_000,
      },
    );
    apigw.on(GetUsagePlansCommand).resolves({ items: [{ id: 'p-free', name: 'rampart-dev-free' }] });
    await expect(byName.attachToUsagePlan('key-1', 'free')).rejects.toThrow(
      'Usage plan "rampart-dev-standard" (tier standard) does not exist',
    );
    await expect(byName.attachToUsagePlan('key-1', 'free')).rejects.toThrow(/does not exist/);
    expect(apigw).toHaveReceivedCommandTimes(GetUsagePlansCommand, 2);
  });
});

describe('parseUsagePlanIds', () => {
  it('reads one plan id per tier', () => {
    expect(parseUsagePlanIds(JSON.stringify(PLANS))).toEqual(PLANS);
  });
  it.each([
    [undefined, 'USAGE_PLAN_IDS is not set'],
    ['{', 'must be JSON'],
    ['[]', 'JSON object'],
    ['{"free":"a","standard":"b"}', 'tier "premium"'],
  ])('rejects %p', (raw, message) => {
    expect(() => parseUsagePlanIds(raw)).toThrow(message);
  });
});

describe('LocalKeyGateway', () => {
  it('meters calls per UTC day only for enabled keys in a plan, like API Gateway', async () => {
    let now = new Date('2025-03-01T23:59:00Z');
    const local = new LocalKeyGateway({ now: () => now }, { free: 10 });
    const id = await local.createKey('k', 'value-1-xxxxxxxxxxxxxxxxxx', true);
    expect(local.recordCall('value-1-xxxxxxxxxxxxxxxxxx')).toBe(false); // not in a plan yet
    await local.attachToUsagePlan(id, 'free');
    expect(local.recordCall('value-1-xxxxxxxxxxxxxxxxxx')).toBe(true);
    now = new Date('2025-03-02T00:00:01Z');
    expect(local.recordCall('value-1-xxxxxxxxxxxxxxxxxx')).toBe(true);
    expect(local.recordCall('value-1-xxxxxxxxxxxxxxxxxx')).toBe(true);
    expect(local.recordCall('unknown')).toBe(false);
    await expect(local.getUsage(id, 'free', '2025-02-28', '2025-03-02')).resolves.toEqual([
      { date: '2025-02-28', used: 0, remaining: 10 },
      { date: '2025-03-01', used: 1, remaining: 9 },
      { date: '2025-03-02', used: 2, remaining: 8 },
    ]);
    await local.disableKey(id);
    expect(local.recordCall('value-1-xxxxxxxxxxxxxxxxxx')).toBe(false);
    await local.deleteKey(id);
    await expect(local.getUsage(id, 'free', '2025-03-01', '2025-03-01')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('daysBetween spans month ends inclusively', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });
});
