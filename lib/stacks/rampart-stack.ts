import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';

export interface RampartStackProps extends StackProps {
  /** The environment this stack belongs to. */
  readonly config: EnvironmentConfig;
  /**
   * Region override for stacks that must live elsewhere (the us-east-1 edge parts).
   * @default - the environment's region
   */
  readonly regionOverride?: string;
}

/**
 * Base of every Rampart stack: account and region from config, project/environment/owner
 * tags, termination protection per environment, and availability zones taken from config
 * so that synth never needs credentials to look them up.
 */
export class RampartStack extends Stack {
  public readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: RampartStackProps) {
    const { config, regionOverride, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      env: { account: config.account, region: regionOverride ?? config.region },
      terminationProtection: config.terminationProtection,
    });
    this.config = config;
    Tags.of(this).add('project', 'rampart');
    Tags.of(this).add('environment', config.name);
    Tags.of(this).add('owner', config.owner);
  }

  override get availabilityZones(): string[] {
    return this.region === this.config.region
      ? [...this.config.network.availabilityZones]
      : super.availabilityZones;
  }
}
