#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, resolveEnvironments } from '../lib/config';
import { ALLOW_PLACEHOLDERS_CONTEXT, judgePlaceholders } from '../lib/config/placeholders';
import { buildRampart } from '../lib/rampart-app';

/**
 * Entry point for `cdk`: the only place that reads context and the process environment.
 * `-c env=NAME` selects one environment (default: all of them). Staging and prod refuse
 * placeholder values unless `-c allowPlaceholders=true` (templates for review, not for deploying).
 */
try {
  const app = new App();
  const configs = resolveEnvironments(app.node.tryGetContext('env') as string | undefined, process.env);
  const allow = String(app.node.tryGetContext(ALLOW_PLACEHOLDERS_CONTEXT)) === 'true';
  const verdict = judgePlaceholders(configs, allow);
  if (verdict.refusal) throw new ConfigError(verdict.refusal);
  for (const warning of verdict.warnings) console.error(`rampart: ${warning}`);
  buildRampart(app, configs);
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`rampart: ${error.message}`);
  process.exitCode = 1;
}
