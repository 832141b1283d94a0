import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { SlackMessage } from '../../../../lambda/domain/notify';
import { SlackReceiver } from '../../domain/notify/slack-receiver';
import { alarmMessage, backupFailedEvent, snsEvent, TOPIC_ARNS } from '../../domain/notify/sns-events';

const SECRET_ID = 'rampart/dev/slack-webhook';
const receiver = new SlackReceiver();
const secrets = mockClient(SecretsManagerClient);
let handler: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  await receiver.start();
  process.env.SLACK_WEBHOOK_SECRET_ID = SECRET_ID;
  process.env.RAMPART_ENVIRONMENT = 'dev';
  process.env.DOCS_BASE_URL = 'https://github.com/example-org/rampart/blob/main/';
  process.env.TOPIC_SEVERITIES = JSON.stringify({
    [TOPIC_ARNS.critical]: 'critical',
    [TOPIC_ARNS.warning]: 'warning',
  });
  process.env.ROUTE_ALL_TO_ONE_CHANNEL = 'false';
  process.env.SLACK_RETRY_BASE_MS = '1';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ handler } = await import('../../../../lambda/functions/slack-notifier/handler'));
});
afterAll(() => receiver.stop());

beforeEach(() => {
  receiver.reset();
  secrets.reset();
  // The receiver is plain HTTP on loopback; the notifier only accepts https webhooks, so the
  // secret points at an https URL and fetch is routed to the receiver below.
  secrets.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({
      critical: 'https://hooks.test/critical',
      warning: 'https://hooks.test/warning',
    }),
  });
  secrets.on(DescribeSecretCommand).resolves({});
});

const realFetch = globalThis.fetch;
beforeAll(() => {
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) =>
    realFetch(String(input).replace('https://hooks.test', receiver.url('')), init)) as typeof fetch;
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

describe('slack-notifier handler', () => {
  test('posts an SNS alarm to the severity webhook read from Secrets Manager (once per container)', async () => {
    await handler(snsEvent(alarmMessage(), { topicArn: TOPIC_ARNS.warning, messageId: 'h-1' }));
    await handler(snsEvent(backupFailedEvent(), { topicArn: TOPIC_ARNS.critical, messageId: 'h-2' }));
    expect(receiver.posts.map((p) => p.path)).toEqual(['/warning', '/critical']);
    expect((receiver.posts[1].body as SlackMessage).text).toBe(
      ':red_circle: [CRITICAL] dev: AWS Backup job failed',
    );
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ID });
    expect(secrets).toHaveReceivedCommandWith(DescribeSecretCommand, { SecretId: SECRET_ID });
  });

  test('a duplicate SNS delivery posts once', async () => {
    const event = snsEvent(alarmMessage(), { messageId: 'h-dup' });
    await handler(event);
    await handler(event);
    expect(receiver.posts).toHaveLength(1);
  });

  test('a 5xx is retried, then the invocation fails so Lambda retries and dead-letters the event', async () => {
    receiver.respond({ status: 500 }, { status: 503 }, { status: 502 }, { status: 500 });
    await expect(handler(snsEvent(alarmMessage(), { messageId: 'h-5xx' }))).rejects.toThrow(
      '1 notification(s) not delivered to Slack: Slack post failed after 4 attempts (HTTP 500)',
    );
    expect(receiver.posts).toHaveLength(4);
  });

  test('429 with Retry-After is honoured, then posted', async () => {
    receiver.respond({ status: 429, headers: { 'retry-after': '0' } });
    await handler(snsEvent(alarmMessage(), { messageId: 'h-429' }));
    expect(receiver.posts).toHaveLength(2);
  });

  test('malformed input is dropped without a crash', async () => {
    await expect(handler({ Records: [{ nope: true }] })).resolves.toEqual({
      posted: 0,
      duplicates: 0,
      dropped: 1,
    });
    await expect(handler(undefined)).resolves.toEqual({ posted: 0, duplicates: 0, dropped: 1 });
    expect(receiver.posts).toHaveLength(0);
  });
});
