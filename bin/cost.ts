#!/usr/bin/env node
/**
 * `npm run cost -- -c env=NAME [--json]`: the estimated monthly cost of an environment, read from
 * its synthesized templates with the committed price table (lib/cost/prices.ts) and the traffic
 * profile in its config. No AWS call, no credentials. Exit code 0 within the budget, 1 over it or
 * for a config problem, 2 for a usage error (docs/cost.md).
 */
import path from 'node:path';
import { ConfigError, resolveEnvironments, type EnvironmentConfig } from '../lib/config';
import { budgetExcess, estimate, type StackTemplate } from '../lib/cost/estimate';
import { estimateJson, formatEstimate } from '../lib/cost/report';
import { synthesizeTemplates } from '../lib/cost/templates';
import { parseEnvironmentArgs } from './cli-args';

const USAGE = 'usage: npm run cost -- -c env=<dev|staging|prod> [--json]';

function parse(argv: readonly string[]): { env: string; json: boolean } | string {
  const args = parseEnvironmentArgs(argv, ['json']);
  return typeof args === 'string' ? args : { env: args.env, json: args.flags.json };
}

/** What the command reads and writes; the defaults are the process's own. */
export interface CostCliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /**
   * The environment's templates.
   * @default - an in-process synth of the environment ({@link synthesizeTemplates})
   */
  readonly templates?: (config: EnvironmentConfig) => StackTemplate[];
}

/** Runs the estimate as the command line asks; returns the exit code. */
export function runCostCli(argv: readonly string[], io: CostCliIo): number {
  const args = parse(argv);
  if (typeof args === 'string') {
    io.err(`rampart cost: ${args}\n${USAGE}`);
    return 2;
  }
  let config: EnvironmentConfig;
  try {
    config = resolveEnvironments(args.env, io.env)[0]!;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`rampart cost: ${error.message}`);
    return 1;
  }
  const templates =
    io.templates ?? ((c: EnvironmentConfig) => synthesizeTemplates(path.join(__dirname, '..'), c));
  const result = estimate(templates(config), {
    environment: config.name,
    drRegion: config.drRegion,
    traffic: config.cost.traffic,
    authorizerMs: config.capacity.authorizerDurationMs,
  });
  io.out(
    args.json
      ? JSON.stringify(estimateJson(result, config.cost.monthlyBudgetUsd), null, 2)
      : formatEstimate(result, config.cost.monthlyBudgetUsd),
  );
  return budgetExcess(result, config.cost.monthlyBudgetUsd) === undefined ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = runCostCli(process.argv.slice(2), {
    env: process.env,
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  });
}
