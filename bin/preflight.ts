#!/usr/bin/env node
/**
 * `npm run preflight -- -c env=NAME [--offline]`: is this environment ready to deploy? Prints every
 * placeholder in its config and every out-of-band prerequisite (checked against AWS when the
 * default credential chain finds credentials for the environment's account), with what to do for
 * each. Exit code 0 when ready, 1 when anything must change, 2 for a usage error.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { ConfigError, resolveEnvironments, type EnvironmentConfig } from '../lib/config';
import {
  createAwsClients,
  resolveDefaultCredentials,
  type AwsClients,
  type CredentialLookup,
} from '../lib/preflight/aws-checks';
import { exitCodeOf, preflight } from '../lib/preflight/preflight';
import { parseEnvironmentArgs } from './cli-args';
import { formatReport } from '../lib/preflight/report';

const USAGE = 'usage: npm run preflight -- -c env=<dev|staging|prod> [--offline]';

/** What the command reads and writes; the defaults are the process's own. */
export interface PreflightCliIo {
  /** The process environment (`RAMPART_<ENV>_ACCOUNT` / `_REGION` apply, as for synth). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /**
   * Finds credentials for the AWS checks.
   * @default - the SDK's default credential chain
   */
  readonly credentials?: (region: string) => Promise<CredentialLookup>;
  /**
   * Builds the SDK clients from the credentials.
   * @default - real clients ({@link createAwsClients})
   */
  readonly clients?: (credentials: AwsCredentialIdentity) => AwsClients;
  /**
   * Loads the named environment's config.
   * @default - the committed config with the process environment's overrides
   */
  readonly loadConfig?: (
    name: string,
    env: Readonly<Record<string, string | undefined>>,
  ) => EnvironmentConfig;
}

function parse(argv: readonly string[]): { env: string; offline: boolean } | string {
  const args = parseEnvironmentArgs(argv, ['offline']);
  return typeof args === 'string' ? args : { env: args.env, offline: args.flags.offline };
}

/** Runs the preflight as the command line asks; resolves to the exit code. */
export async function runPreflightCli(argv: readonly string[], io: PreflightCliIo): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    io.err(`rampart preflight: ${args}\n${USAGE}`);
    return 2;
  }
  let config: EnvironmentConfig;
  try {
    config = (io.loadConfig ?? ((name, env) => resolveEnvironments(name, env)[0]!))(args.env, io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`rampart preflight: ${error.message}`);
    return 1;
  }
  const lookup: CredentialLookup = args.offline
    ? { missing: '--offline' }
    : await (io.credentials ?? resolveDefaultCredentials)(config.region);
  const report = await preflight(
    config,
    'credentials' in lookup
      ? { aws: (io.clients ?? createAwsClients)(lookup.credentials) }
      : { offlineReason: lookup.missing },
  );
  io.out(formatReport(report));
  return exitCodeOf(report);
}

if (require.main === module) {
  // The SDK warns on Node < 22 about its releases after January 2027; the clients here are pinned
  // and Node 20 is a supported machine (README), so the warning is noise in a deployer's report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void runPreflightCli(process.argv.slice(2), {
    env: process.env,
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  }).then((code) => {
    process.exitCode = code;
  });
}
