import { RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
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

/** The tags on every resource of an environment (also its cost allocation tags: docs/cost.md). */
export function rampartTags(config: EnvironmentConfig): Record<string, string> {
  return { project: 'rampart', environment: config.name, owner: config.owner };
}

/**
 * Base of every Rampart stack: account and region from config, project/environment/owner
 * tags, termination protection per environment, and availability zones taken from config
 * so that synth never needs credentials to look them up.
 */
export class RampartStack extends Stack {
  public readonly config: EnvironmentConfig;
  /**
   * What happens to function log groups when a function or its stack is deleted: kept outside dev
   * (logs are evidence; prod keeps at least a year of them), deleted in dev, like the data tier's
   * stateful resources.
   */
  public readonly logRemovalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: RampartStackProps) {
    const { config, regionOverride, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      env: { account: config.account, region: regionOverride ?? config.region },
      terminationProtection: config.terminationProtection,
      tags: { ...stackProps.tags, ...rampartTags(config) },
    });
    this.config = config;
    this.logRemovalPolicy = config.name === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    // Stack tags reach resources at deploy time; tagging the tree also puts them in the template.
    for (const [key, value] of Object.entries(rampartTags(config))) Tags.of(this).add(key, value);
  }

  override get availabilityZones(): string[] {
    if (this.region === this.config.region) return [...this.config.network.availabilityZones];
    if (this.region === this.config.drRegion && this.config.drNetwork) {
      return [...this.config.drNetwork.availabilityZones];
    }
    const restoreTests = this.config.backup.drRestoreTestNetwork;
    if (this.region === this.config.drRegion && restoreTests) return [...restoreTests.availabilityZones];
    return super.availabilityZones;
  }
}
