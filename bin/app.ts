#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, ENVIRONMENT_NAMES, loadEnvironmentConfig, type EnvironmentConfig } from '../lib/config';
import { buildRampart } from '../lib/rampart-app';

/**
 * Entry point for `cdk`: the only place that reads context and the process environment.
 * `-c env=NAME` selects one environment (default: all); `RAMPART_<ENV>_ACCOUNT` and
 * `RAMPART_<ENV>_REGION` override an environment's declared account and region.
 */
function main(): void {
  const app = new App();
  const selected = app.node.tryGetContext('env') as string | undefined;
  const names = selected ? [selected] : [...ENVIRONMENT_NAMES];
  const configs: EnvironmentConfig[] = names.map((name) => {
    const prefix = `RAMPART_${name.toUpperCase()}_`;
    return loadEnvironmentConfig(name, {
      account: process.env[`${prefix}ACCOUNT`] || undefined,
      region: process.env[`${prefix}REGION`] || undefined,
    });
  });
  buildRampart(app, configs);
  app.synth();
}

try {
  main();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`rampart: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
