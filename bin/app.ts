#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, resolveEnvironments } from '../lib/config';
import { buildRampart } from '../lib/rampart-app';

/**
 * Entry point for `cdk`: the only place that reads context and the process environment.
 * `-c env=NAME` selects one environment (default: all of them).
 */
try {
  const app = new App();
  buildRampart(app, resolveEnvironments(app.node.tryGetContext('env') as string | undefined, process.env));
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`rampart: ${error.message}`);
  process.exitCode = 1;
}
