import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';

const ADMIN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:DatabaseAdminSecret-AbC123';
const ORIGIN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:OriginVerify-XyZ789';
const secrets = mockClient(SecretsManagerClient);
let handler: () => Promise<void>;
let output: CapturedOutput;

beforeAll(async () => {
  process.env.WATCHED_SECRETS = JSON.stringify({ 'database-admin': ADMIN, 'origin-verify': ORIGIN });
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'Rampart/Operations';
  process.env.POWERTOOLS_SERVICE_NAME = 'secret-rotation-age';
  ({ handler } = await import('../../../../lambda/functions/secret-rotation-age/handler'));
});
beforeEach(() => {
  secrets.reset();
  output = captureStdout();
});
afterEach(() => output.restore());

const emf = () =>
  output
    .lines()
    .filter((line) => line._aws !== undefined)
    .map((line) => ({
      secret: line.Secret,
      service: line.service,
      days: line.DaysSinceLastRotation,
      aws: line._aws,
    }));

test('publishes DaysSinceLastRotation per secret as EMF in Rampart/Operations, with the exact requests', async () => {
  jest.useFakeTimers({
    now: new Date('2026-11-27T12:00:00Z'),
    doNotFake: ['setTimeout', 'setImmediate', 'nextTick'],
  });
  try {
    secrets
      .on(DescribeSecretCommand, { SecretId: ADMIN })
      .resolves({ LastRotatedDate: new Date('2026-11-17T11:00:00Z'), RotationEnabled: true })
      .on(DescribeSecretCommand, { SecretId: ORIGIN })
      .resolves({ LastRotatedDate: new Date('2026-11-26T13:00:00Z'), RotationEnabled: true });
    await handler();
  } finally {
    jest.useRealTimers();
  }
  expect(secrets).toHaveReceivedCommandTimes(DescribeSecretCommand, 2);
  expect(secrets).toHaveReceivedNthCommandWith(1, DescribeSecretCommand, { SecretId: ADMIN });
  expect(secrets).toHaveReceivedNthCommandWith(2, DescribeSecretCommand, { SecretId: ORIGIN });
  const lines = emf();
  expect(lines.map(({ secret, service, days }) => ({ secret, service, days }))).toEqual([
    { secret: 'database-admin', service: 'secret-rotation-age', days: 10 },
    { secret: 'origin-verify', service: 'secret-rotation-age', days: 0 },
  ]);
  expect(lines[0].aws).toMatchObject({
    CloudWatchMetrics: [
      {
        Namespace: 'Rampart/Operations',
        Dimensions: [['service', 'Secret']],
        Metrics: [{ Name: 'DaysSinceLastRotation', Unit: 'Count' }],
      },
    ],
  });
});

test('a secret that cannot be described fails the run after publishing the others', async () => {
  secrets
    .on(DescribeSecretCommand, { SecretId: ADMIN })
    .rejects(new Error('AccessDeniedException'))
    .on(DescribeSecretCommand, { SecretId: ORIGIN })
    .resolves({ CreatedDate: new Date() });
  await expect(handler()).rejects.toThrow('Could not describe database-admin');
  expect(emf().map((l) => l.secret)).toEqual(['origin-verify']);
});
