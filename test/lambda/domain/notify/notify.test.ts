import fc from 'fast-check';
import {
  DeliveredMessages,
  EVENT_ALERTS,
  NotificationDeliveryError,
  notify,
  postToSlack,
  retryAfterMs,
  SlackDeliveryError,
  webhookUrlFor,
  type NotifierDeps,
  type SlackMessage,
} from '../../../../lambda/domain/notify';
import { SlackReceiver } from './slack-receiver';
import {
  alarmMessage,
  backupFailedEvent,
  compositeMessage,
  metricAlarmMessage,
  rdsEventMessage,
  rotationFailedEvent,
  snsEvent,
  TOPIC_ARNS,
} from './sns-events';
import { propertyRuns } from '../../../support/property-runs';

const receiver = new SlackReceiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());
beforeEach(() => receiver.reset());

interface Harness {
  deps: NotifierDeps;
  sleeps: number[];
  logs: { level: string; message: string; extra: Record<string, unknown> }[];
}

function harness(overrides: Partial<NotifierDeps> = {}): Harness {
  const sleeps: number[] = [];
  const logs: Harness['logs'] = [];
  const log = (level: string) => (message: string, extra: Record<string, unknown>) =>
    logs.push({ level, message, extra });
  const deps: NotifierDeps = {
    environment: 'dev',
    docsBaseUrl: 'https://github.com/example-org/rampart/blob/main/',
    topicSeverities: {
      [TOPIC_ARNS.critical]: 'critical',
      [TOPIC_ARNS.warning]: 'warning',
      [TOPIC_ARNS.info]: 'info',
    },
    routeAllToOneChannel: false,
    webhookSecret: () => Promise.resolve('https://hooks.test/unused'),
    post: (url, message) =>
      postToSlack(url, message, {
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        random: () => 1,
      }),
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    delivered: new DeliveredMessages(),
    ...overrides,
  };
  return { deps, sleeps, logs };
}

type Blocks = SlackMessage['blocks'];
const textOf = (blocks: Blocks) => JSON.stringify(blocks);
const buttonUrls = (blocks: Blocks) =>
  blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) =>
      (b.elements as { text: { text: string }; url: string }[]).map((e) => [e.text.text, e.url]),
    );

/** Posts one event through the domain to the receiver and returns what Slack received. */
async function deliver(event: unknown, overrides: Partial<NotifierDeps> = {}) {
  // webhookUrlFor accepts https URLs only: the secret holds https URLs and post maps them to the loopback receiver.
  const h = harness(overrides);
  const post = h.deps.post;
  const deps: NotifierDeps = {
    ...h.deps,
    webhookSecret: () =>
      Promise.resolve(
        JSON.stringify({
          critical: 'https://hooks.test/critical',
          warning: 'https://hooks.test/warning',
          info: 'https://hooks.test/info',
        }),
      ),
    post: (url, message) => post(url.replace('https://hooks.test', receiver.url('')), message),
  };
  const result = await notify(event, deps);
  return { result, ...h, deps };
}

describe('rendering through a real HTTP receiver', () => {
  test('a metric-math ALARM shows severity, environment, state change, reason, metric, threshold and links', async () => {
    const { result } = await deliver(snsEvent(alarmMessage('ALARM'), { topicArn: TOPIC_ARNS.warning }));
    expect(result).toEqual({ posted: 1, duplicates: 0, dropped: 0 });
    expect(receiver.posts).toHaveLength(1);
    const post = receiver.posts[0];
    expect(post.path).toBe('/warning');
    expect(post.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = post.body as SlackMessage;
    expect(body.text).toBe(':large_orange_circle: [WARNING] dev: rampart-dev-api-5xx-rate is ALARM');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':rotating_light: ALARM: rampart-dev-api-5xx-rate', emoji: true },
    });
    const text = textOf(body.blocks);
    expect(text).toContain('*Severity*\\nwarning');
    expect(text).toContain('*Environment*\\ndev');
    expect(text).toContain('*State change*\\nOK → ALARM');
    expect(text).toContain('3 out of the last 5 datapoints');
    expect(text).toContain('IF(count &gt;= 10, 100 * errors / count, 0)');
    expect(text).toContain('*Threshold*\\n&gt; 5 for 3 of 5 x 60s, missing data: notBreaching');
    expect(buttonUrls(body.blocks)).toEqual([
      [
        'Alarm in console',
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/rampart-dev-api-5xx-rate',
      ],
      [
        'Dashboard',
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/rampart-dev-ops',
      ],
      ['Runbook', 'https://github.com/example-org/rampart/blob/main/runbooks/alarms/api-5xx-rate.md'],
    ]);
  });

  test('an OK notification shows the recovery', async () => {
    await deliver(snsEvent(alarmMessage('OK'), { messageId: 'ok-1' }));
    const body = receiver.posts[0].body as SlackMessage;
    expect(body.text).toBe(':large_orange_circle: [WARNING] dev: rampart-dev-api-5xx-rate is OK');
    expect(textOf(body.blocks)).toContain(':white_check_mark: OK: rampart-dev-api-5xx-rate');
    expect(textOf(body.blocks)).toContain('ALARM → OK');
  });

  test("a single-metric alarm's severity comes from its description, and mrkdwn is escaped", async () => {
    await deliver(snsEvent(metricAlarmMessage(), { topicArn: TOPIC_ARNS.info, messageId: 'm-1' }));
    expect(receiver.posts[0].path).toBe('/critical');
    const body = receiver.posts[0].body as SlackMessage;
    const text = textOf(body.blocks);
    expect(body.text).toBe(':red_circle: [CRITICAL] dev: rampart-dev-projectsGet-errors is ALARM');
    expect(text).toContain('AWS/Lambda Errors (SUM) [FunctionName=Rampart-dev-Api-ProjectsGetFunction]');
    expect(text).toContain('&gt;= 5 for 3 of 3 x 60s');
    expect(text).toContain('&lt;script&gt;');
    expect(text).not.toContain('<script>');
  });

  test('a composite alarm shows its rule and the children that triggered it', async () => {
    await deliver(snsEvent(compositeMessage(), { topicArn: TOPIC_ARNS.critical, messageId: 'c-1' }));
    const body = receiver.posts[0].body as SlackMessage;
    const text = textOf(body.blocks);
    expect(text).toContain('*Kind*\\nComposite alarm');
    expect(text).toContain('ALARM(\\"rampart-dev-slo-availability-fast-1h\\") AND');
    expect(text).toContain('*Triggered by*\\nrampart-dev-slo-availability-fast-1h (ALARM)');
    expect(buttonUrls(body.blocks).map(([label]) => label)).toEqual([
      'Alarm in console',
      'Dashboard',
      'Runbook',
    ]);
  });

  test('an AWS Backup job failure (EventBridge) renders with its runbook', async () => {
    await deliver(snsEvent(backupFailedEvent(), { topicArn: TOPIC_ARNS.critical, messageId: 'b-1' }));
    expect(receiver.posts[0].path).toBe('/critical');
    const body = receiver.posts[0].body as SlackMessage;
    expect(body.text).toBe(':red_circle: [CRITICAL] dev: AWS Backup job failed');
    const text = textOf(body.blocks);
    expect(text).toContain('*state*\\nFAILED');
    expect(text).toContain('Insufficient privileges to perform this action.');
    expect(text).toContain('arn:aws:rds:eu-west-1:111111111111:db:rampart-dev-db');
    expect(buttonUrls(body.blocks)).toEqual([
      ['Runbook', 'https://github.com/example-org/rampart/blob/main/runbooks/alarms/backup-job-failed.md'],
    ]);
  });

  test('a Secrets Manager rotation failure renders with the secret and its runbook', async () => {
    await deliver(snsEvent(rotationFailedEvent(), { topicArn: TOPIC_ARNS.critical, messageId: 'r-1' }));
    const body = receiver.posts[0].body as SlackMessage;
    expect(body.text).toBe(':red_circle: [CRITICAL] dev: Secrets Manager rotation failed');
    expect(textOf(body.blocks)).toContain('DatabaseAdminSecret-AbC123');
    expect(buttonUrls(body.blocks)[0][1]).toMatch(/runbooks\/alarms\/secret-rotation-failed\.md$/);
  });

  test('an RDS event (event subscription) renders with the severity of its topic, the event and its runbook', async () => {
    await deliver(snsEvent(rdsEventMessage(), { topicArn: TOPIC_ARNS.critical, messageId: 'rds-1' }));
    expect(receiver.posts[0].path).toBe('/critical');
    const body = receiver.posts[0].body as SlackMessage;
    expect(body.text).toBe(':red_circle: [CRITICAL] dev: RDS event RDS-EVENT-0049');
    const text = textOf(body.blocks);
    expect(text).toContain('*EventID*\\nRDS-EVENT-0049');
    expect(text).toContain('*Message*\\nMulti-AZ instance failover completed');
    expect(text).toContain('*SourceIdentifier*\\nrampart-dev-databaseinstance-abc123');
    expect(text).toContain('arn:aws:rds:eu-west-1:111111111111:db:rampart-dev-databaseinstance-abc123');
    expect(text).toContain('account 111111111111 · eu-west-1');
    expect(buttonUrls(body.blocks)).toEqual([
      ['Runbook', 'https://github.com/example-org/rampart/blob/main/runbooks/alarms/rds-events.md'],
    ]);

    receiver.reset();
    await deliver(snsEvent(rdsEventMessage(), { topicArn: TOPIC_ARNS.warning, messageId: 'rds-2' }));
    expect(receiver.posts[0].path).toBe('/warning');
    expect((receiver.posts[0].body as SlackMessage).text).toBe(
      ':large_orange_circle: [WARNING] dev: RDS event RDS-EVENT-0049',
    );
  });

  test("RDS's first message on a new subscription (plain text) is posted as text", async () => {
    await deliver(
      snsEvent(
        'This is a message to notify that RDS will attempt to send you event notifications of type db-instance to the topic',
        { topicArn: TOPIC_ARNS.warning, subject: 'RDS Notification Message', messageId: 'rds-0' },
      ),
    );
    expect((receiver.posts[0].body as SlackMessage).text).toBe(
      ':large_orange_circle: [WARNING] dev: RDS Notification Message',
    );
  });

  test('plain text published to a topic is posted as text', async () => {
    await deliver(
      snsEvent('hello from a test publish', { topicArn: TOPIC_ARNS.info, subject: 'Test', messageId: 't-1' }),
    );
    const body = receiver.posts[0].body as SlackMessage;
    expect(receiver.posts[0].path).toBe('/info');
    expect(body.text).toBe(':large_blue_circle: [INFO] dev: Test');
  });

  test('routeAllToOneChannel posts every severity to the warning webhook', async () => {
    await deliver(snsEvent(compositeMessage(), { topicArn: TOPIC_ARNS.critical, messageId: 'one-1' }), {
      routeAllToOneChannel: true,
    });
    expect(receiver.posts.map((p) => p.path)).toEqual(['/warning']);
  });
});

describe('delivery', () => {
  test('429 waits exactly Retry-After, then posts', async () => {
    receiver.respond({ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' });
    const { sleeps } = await deliver(snsEvent(alarmMessage(), { messageId: '429-1' }));
    expect(sleeps).toEqual([2000]);
    expect(receiver.posts).toHaveLength(2);
  });

  test('a Retry-After beyond the wait budget fails as retryable without waiting', async () => {
    receiver.respond({ status: 429, headers: { 'retry-after': '120' } });
    const sleeps: number[] = [];
    const error = await postToSlack(
      receiver.url('/x'),
      { text: 't', blocks: [] },
      {
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackDeliveryError);
    expect(error).toMatchObject({ status: 429, attempts: 1, retryable: true });
    expect(sleeps).toEqual([]);
  });

  test('5xx is retried with exponential backoff, then the event fails so Lambda retries and dead-letters it', async () => {
    receiver.respond({ status: 503 }, { status: 502 }, { status: 500 }, { status: 503 });
    const h = harness();
    const deps: NotifierDeps = {
      ...h.deps,
      webhookSecret: () => Promise.resolve('https://hooks.test/all'),
      post: (url, message) => h.deps.post(url.replace('https://hooks.test', receiver.url('')), message),
    };
    const event = snsEvent(alarmMessage(), { messageId: '5xx-1' });
    const error = await notify(event, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotificationDeliveryError);
    expect((error as NotificationDeliveryError).failures).toEqual([
      { messageId: '5xx-1', error: 'Slack post failed after 4 attempts (HTTP 503)' },
    ]);
    expect(receiver.posts).toHaveLength(4);
    expect(h.sleeps).toEqual([250, 500, 1000]);
    expect(h.logs.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      'Notification not delivered',
    ]);
    // Not remembered as delivered: Lambda's retry of the same event posts it.
    await notify(event, deps);
    expect(receiver.posts).toHaveLength(5);
  });

  test('a network failure is retried like a 5xx', async () => {
    let calls = 0;
    const failingFetch: typeof fetch = (input, init) => {
      calls += 1;
      return calls === 1 ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);
    };
    const sleeps: number[] = [];
    const attempts = await postToSlack(
      receiver.url('/net'),
      { text: 't', blocks: [] },
      {
        fetch: failingFetch,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        random: () => 0,
      },
    );
    expect(attempts).toBe(2);
    expect(sleeps).toEqual([125]);
    expect(receiver.posts).toHaveLength(1);
  });

  test('a 4xx other than 429 (revoked webhook) is not retried', async () => {
    receiver.respond({ status: 404, body: 'no_service' });
    const error = await postToSlack(receiver.url('/gone'), { text: 't', blocks: [] }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      status: 404,
      attempts: 1,
      retryable: false,
      message: 'Slack refused the message (HTTP 404: no_service)',
    });
    expect(receiver.posts).toHaveLength(1);
  });

  test('a duplicate SNS delivery is posted once', async () => {
    const h = harness();
    const deps: NotifierDeps = {
      ...h.deps,
      webhookSecret: () => Promise.resolve('https://hooks.test/all'),
      post: (url, message) => h.deps.post(url.replace('https://hooks.test', receiver.url('')), message),
    };
    const event = snsEvent(alarmMessage(), { messageId: 'dup-1' });
    expect(await notify(event, deps)).toEqual({ posted: 1, duplicates: 0, dropped: 0 });
    expect(await notify(event, deps)).toEqual({ posted: 0, duplicates: 1, dropped: 0 });
    expect(receiver.posts).toHaveLength(1);
  });

  test('retryAfterMs reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs('Fri, 27 Nov 2026 21:30:10 GMT', Date.parse('2026-11-27T21:30:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('malformed input', () => {
  test.each([
    ['null', null],
    ['a string', 'not an event'],
    ['no Records', {}],
    ['Records not an array', { Records: 'x' }],
    ['a record without Sns', { Records: [{}] }],
    ['Sns without MessageId', { Records: [{ Sns: { Message: '{}' } }] }],
  ])('%s is logged and dropped, nothing posted, no throw', async (_label, event) => {
    const { result, logs } = await deliver(event);
    expect(result.posted).toBe(0);
    expect(result.dropped).toBe(1);
    expect(logs.map((l) => [l.level, l.message])).toEqual([['error', 'Malformed notification dropped']]);
    expect(receiver.posts).toHaveLength(0);
  });

  test('random events and messages never throw and never post more than once per record', async () => {
    const posts: SlackMessage[] = [];
    const h = harness({
      post: (_url, message) => Promise.resolve(posts.push(message)),
      webhookSecret: () => Promise.resolve('https://hooks.test/x'),
    });
    const message = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({
        AlarmName: fc.string(),
        NewStateValue: fc.string(),
        Trigger: fc.anything(),
        AlarmRule: fc.option(fc.string(), { nil: undefined }),
        TriggeringChildren: fc.anything(),
        AlarmDescription: fc.anything(),
      }),
      fc.record({
        source: fc.constantFrom('aws.backup', 'aws.secretsmanager', 'x'),
        'detail-type': fc.string(),
        detail: fc.anything(),
        resources: fc.anything(),
      }),
    );
    const record = fc.oneof(
      fc.anything(),
      fc.record({
        Sns: fc.record({
          MessageId: fc.uuid(),
          TopicArn: fc.string(),
          Message: message.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))),
        }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.anything(), fc.record({ Records: fc.array(record, { maxLength: 3 }) })),
        async (event) => {
          posts.length = 0;
          const result = await notify(event, { ...h.deps, delivered: new DeliveredMessages() });
          expect(result.posted).toBe(posts.length);
          for (const posted of posts) {
            expect(typeof posted.text).toBe('string');
            expect(JSON.stringify(posted)).not.toMatch(/"text":""/);
          }
        },
      ),
      { numRuns: propertyRuns(1000) },
    );
  });
});

describe('webhook secret', () => {
  test('a bare URL serves every severity; JSON picks per severity, then default', () => {
    expect(webhookUrlFor(' https://hooks.slack.com/services/A ', 'critical', false)).toBe(
      'https://hooks.slack.com/services/A',
    );
    const json = JSON.stringify({ critical: 'https://c', default: 'https://d' });
    expect(webhookUrlFor(json, 'critical', false)).toBe('https://c');
    expect(webhookUrlFor(json, 'info', false)).toBe('https://d');
    expect(webhookUrlFor(json, 'critical', true)).toBe('https://d');
    expect(() => webhookUrlFor('{"critical":"http://plain"}', 'critical', false)).toThrow(
      /no https URL for "critical"/,
    );
    expect(() => webhookUrlFor('not json', 'info', false)).toThrow(/neither an https URL nor JSON/);
  });

  test('a webhook secret that cannot be read fails the event (retried, then dead-lettered)', async () => {
    const h = harness({ webhookSecret: () => Promise.reject(new Error('AccessDeniedException')) });
    await expect(notify(snsEvent(alarmMessage()), h.deps)).rejects.toThrow(NotificationDeliveryError);
  });

  test('every event alert has a runbook id in kebab-case', () => {
    for (const alert of EVENT_ALERTS) expect(alert.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
