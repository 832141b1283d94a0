import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack, LocalStackOptions } from '../../../lib/local/local-stack';
import { apiTemplate } from '../../support/api-template';
import { createServerDatabase } from '../../support/database';

/**
 * Starts the local stack exactly as `npm start` does (dev environment's gateway settings), but on
 * a free loopback port with its data in a fresh temp directory, for one test file. Powertools is
 * configured before any lambda module loads: no metric lines, errors only.
 *
 * The database is a fresh one on the run's PostgreSQL server (test/support/database.ts), dropped on
 * stop, unless `databaseUrl` names one or `pglite` is set: then the stack starts its own PGlite as
 * `npm start` does (seconds of CPU per start, so one file covers that path).
 */
export async function startE2eStack(
  overrides: Partial<Omit<LocalStackOptions, 'rootDir' | 'dataDir'>> & { readonly pglite?: boolean } = {},
): Promise<LocalStack> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  const { loadEnvironmentConfig } = await import('../../../lib/config');
  const { startLocalStack } = await import('../../../lib/local/local-stack');
  const { pglite, ...options } = overrides;
  const database =
    pglite === true || options.databaseUrl !== undefined
      ? undefined
      : await createServerDatabase(undefined, { migrated: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rampart-e2e-'));
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      rootDir: path.resolve(__dirname, '../../..'),
      dataDir,
      port: 0,
      environment: loadEnvironmentConfig('dev'),
      // The run's dev template, unless the test changes the environment (then it is synthesized).
      ...(options.environment === undefined ? { apiTemplate: apiTemplate('dev') } : {}),
      ...(database === undefined ? {} : { databaseUrl: database.url }),
      seed: false,
      ...options,
    });
  } catch (error) {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...stack,
    async stop() {
      await stack.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The run's dev Api template with properties of every resource of one type replaced: the template
 * a deploy of dev with that one setting changed produces (test/lib/stacks/api-stack.suite.ts asserts
 * how each setting reaches its property), without a synth of its own (seconds per test file).
 */
export function devTemplateWith(
  type: string,
  properties: Record<string, unknown>,
): NonNullable<LocalStackOptions['apiTemplate']> {
  const template = structuredClone(apiTemplate('dev'));
  const resources = Object.values(template.Resources).filter((resource) => resource.Type === type);
  if (resources.length === 0) throw new Error(`The dev Api template has no ${type}`);
  for (const resource of resources) Object.assign(resource.Properties ?? {}, properties);
  return template;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body (`undefined` when empty or not JSON). */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One HTTP call to the stack (undici fetch: what a client does). */
export async function call(
  stack: Pick<LocalStack, 'url'>,
  method: string,
  urlPath: string,
  options: {
    readonly token?: string;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
  } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined)
    headers.authorization = options.token.startsWith('rmp_')
      ? `ApiKey ${options.token}`
      : `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${stack.url}${urlPath}`, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Logs a seed user in through the API; returns the token response body. */
export async function login(
  stack: LocalStack,
  email: string,
): Promise<{ accessToken: string; idToken: string; refreshToken: string }> {
  const user = stack.users.find((candidate) => candidate.email === email);
  if (user === undefined) throw new Error(`No seed user ${email}`);
  const result = await call(stack, 'POST', '/api/v1/auth/login', {
    body: { email, password: user.password },
  });
  if (result.status !== 200) throw new Error(`login ${email}: ${result.status} ${result.text}`);
  return result.json;
}
