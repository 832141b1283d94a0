import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import type { EnvironmentConfig } from './config';
import { AuthStack } from './stacks/auth-stack';
import { NetworkStack } from './stacks/network-stack';

/** The stacks of one environment. */
export interface RampartEnvironment {
  readonly network: NetworkStack;
  readonly auth: AuthStack;
}

/** `Rampart-<env>-<Part>`: the name of every stack, used as both construct id and stack name. */
export function stackName(config: EnvironmentConfig, part: string): string {
  return `Rampart-${config.name}-${part}`;
}

/** Composes one environment's stacks in `app`. */
export function addEnvironment(app: App, config: EnvironmentConfig): RampartEnvironment {
  const network = new NetworkStack(app, stackName(config, 'Network'), {
    config,
    stackName: stackName(config, 'Network'),
    description: `Rampart ${config.name}: VPC, subnets, flow logs and VPC endpoints`,
  });
  const auth = new AuthStack(app, stackName(config, 'Auth'), {
    config,
    stackName: stackName(config, 'Auth'),
    description: `Rampart ${config.name}: Cognito user pool, role groups, scopes and app clients`,
  });
  return { network, auth };
}

/** Registers the compliance rule packs that every synth must pass. */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
}

/** Builds the whole Rampart app: compliance checks plus every given environment. */
export function buildRampart(app: App, configs: readonly EnvironmentConfig[]): RampartEnvironment[] {
  addComplianceChecks(app);
  return configs.map((config) => addEnvironment(app, config));
}
