import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type {
  DistributionHeaderUpdater,
  WafPatternSetUpdater,
} from '../../../../lambda/domain/origin-verify/rotation';

export const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:origin-verify-AbCdEf';

let counter = 0;
/** A fresh 64-character letters-and-digits value. */
export function randomValue(): string {
  counter += 1;
  return `V${String(counter).padStart(4, '0')}`.padEnd(64, 'x');
}

interface Version {
  value?: string;
  stages: string[];
}

/**
 * Secrets Manager's version/stage semantics for one secret, behind aws-sdk-client-mock (there is no
 * local Secrets Manager peer): GetSecretValue by stage or version, PutSecretValue idempotent per
 * token, UpdateSecretVersionStage moving AWSCURRENT and giving the old version AWSPREVIOUS.
 */
export class FakeSecretsManager {
  readonly client = new SecretsManagerClient({ region: 'eu-west-1' });
  readonly mock: ReturnType<typeof mockClient>;
  readonly versions = new Map<string, Version>();
  rotationEnabled = true;

  /** `everyClient` mocks every SecretsManagerClient (for code that creates its own, like the handler). */
  constructor(initialValue: string, options: { initialVersion?: string; everyClient?: boolean } = {}) {
    const initialVersion = options.initialVersion ?? 'v0';
    this.mock = mockClient(options.everyClient ? SecretsManagerClient : this.client);
    this.versions.set(initialVersion, { value: initialValue, stages: ['AWSCURRENT'] });
    this.mock.on(DescribeSecretCommand).callsFake(() => ({
      ARN: SECRET_ID,
      RotationEnabled: this.rotationEnabled,
      VersionIdsToStages: Object.fromEntries(
        [...this.versions].map(([id, version]) => [id, [...version.stages]]),
      ),
    }));
    this.mock.on(GetSecretValueCommand).callsFake((input: { VersionId?: string; VersionStage?: string }) => {
      const entry = [...this.versions].find(
        ([id, version]) =>
          (input.VersionId === undefined || id === input.VersionId) &&
          (input.VersionStage === undefined || version.stages.includes(input.VersionStage)) &&
          version.value !== undefined,
      );
      if (!entry) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
      return { ARN: SECRET_ID, VersionId: entry[0], SecretString: entry[1].value };
    });
    this.mock.on(GetRandomPasswordCommand).callsFake(() => ({ RandomPassword: randomValue() }));
    this.mock
      .on(PutSecretValueCommand)
      .callsFake((input: { ClientRequestToken: string; SecretString: string; VersionStages: string[] }) => {
        for (const version of this.versions.values()) {
          version.stages = version.stages.filter((stage) => !input.VersionStages.includes(stage));
        }
        this.versions.set(input.ClientRequestToken, {
          value: input.SecretString,
          stages: [...input.VersionStages],
        });
        return { VersionId: input.ClientRequestToken };
      });
    this.mock
      .on(UpdateSecretVersionStageCommand)
      .callsFake((input: { VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }) => {
        const from = input.RemoveFromVersionId ? this.versions.get(input.RemoveFromVersionId) : undefined;
        if (input.VersionStage === 'AWSCURRENT' && from) {
          for (const version of this.versions.values()) {
            version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS');
          }
          from.stages = [...from.stages.filter((stage) => stage !== 'AWSCURRENT'), 'AWSPREVIOUS'];
        }
        const to = this.versions.get(input.MoveToVersionId)!;
        to.stages = [...to.stages.filter((stage) => stage !== 'AWSPENDING'), input.VersionStage];
        return {};
      });
  }

  /** What RotateSecret does before invoking createSecret: a version for the token, AWSPENDING, no value yet. */
  startRotation(token: string): void {
    for (const version of this.versions.values()) {
      version.stages = version.stages.filter((stage) => stage !== 'AWSPENDING');
    }
    this.versions.set(token, { stages: ['AWSPENDING'] });
  }

  valueAt(stage: string): string | undefined {
    return [...this.versions.values()].find((version) => version.stages.includes(stage))?.value;
  }
}

/** The regional web ACL's pattern set, in memory. */
export class FakeWaf implements WafPatternSetUpdater {
  writes = 0;
  failNextWrite = false;
  constructor(public values: string[]) {}
  accepted(): Promise<readonly string[]> {
    return Promise.resolve([...this.values]);
  }
  acceptOnly(values: readonly string[]): Promise<void> {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      return Promise.reject(new Error('WAFOptimisticLockException'));
    }
    this.writes += 1;
    this.values = [...values];
    return Promise.resolve();
  }
}

/**
 * The distribution's origin header, in memory. While a change deploys, some edges still send the
 * old value: `sentByEdges` is every value some edge may send right now.
 */
export class FakeDistribution implements DistributionHeaderUpdater {
  writes = 0;
  deployed = true;
  sentByEdges: string[];
  constructor(public value: string) {
    this.sentByEdges = [value];
  }
  read(): Promise<{ value: string; deployed: boolean }> {
    return Promise.resolve({ value: this.value, deployed: this.deployed });
  }
  write(value: string): Promise<void> {
    this.writes += 1;
    this.sentByEdges = [...new Set([...this.sentByEdges, value])];
    this.value = value;
    this.deployed = false;
    return Promise.resolve();
  }
  /** CloudFront finishes deploying: every edge sends the configured value. */
  finishDeployment(): void {
    this.deployed = true;
    this.sentByEdges = [this.value];
  }
}

/** A CloudFront distribution config whose one origin sends `x-origin-verify: value`. */
export function distributionConfig(value: string, headerName = 'x-origin-verify'): DistributionConfig {
  return {
    CallerReference: 'ref',
    Comment: 'rampart',
    Enabled: true,
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: 'api',
          DomainName: 'abc.execute-api.eu-west-1.amazonaws.com',
          CustomHeaders: { Quantity: 1, Items: [{ HeaderName: headerName, HeaderValue: value }] },
        },
      ],
    },
  } as DistributionConfig;
}
