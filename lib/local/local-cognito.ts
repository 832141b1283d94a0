import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  provisionLocalDirectory,
  type LocalDirectory,
  type LocalUserSpec,
} from '../../lambda/domain/auth/local-directory';

/** Dummy credentials and region: the SDK signs requests, cognito-local ignores the signature. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_AWS_REGION = 'local';

/** A running cognito-local with Rampart's directory (pool, groups, login client, users). */
export interface LocalCognito {
  /** `http://127.0.0.1:<port>`: the SDK endpoint override. */
  readonly endpoint: string;
  /** Token issuer (`iss`): `<endpoint>/<userPoolId>`. */
  readonly issuer: string;
  /** The pool's JWKS JSON, fetched once at start (what the deploy-time fetcher bakes into the authorizer). */
  readonly jwks: string;
  readonly directory: LocalDirectory;
  /** True when this start provisioned the directory (first run or `--fresh`). */
  readonly provisioned: boolean;
  stop(): Promise<void>;
}

export interface LocalCognitoOptions {
  /** Where cognito-local keeps its JSON database and Rampart the directory's ids (kept between runs). */
  readonly dataDir: string;
  /** Users created when the directory is provisioned. */
  readonly users: readonly LocalUserSpec[];
  /** @default 20000 */
  readonly startTimeoutMs?: number;
}

const START_SCRIPT = require.resolve('cognito-local/lib/bin/start.js');
const READY_LINE = /Cognito Local running on http:\/\//;
const DIRECTORY_FILE = 'rampart-directory.json';

/** A port free on 127.0.0.1 right now (cognito-local needs it up front: it puts it in the issuer). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when cognito-local (`child`, stdout and stderr piped) reports it is listening. */
export function waitForCognitoLocal(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const done = (error?: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (READY_LINE.test(output)) done();
    };
    const onExit = (code: number | null): void =>
      done(new Error(`cognito-local exited with ${String(code)} before it was ready:\n${output}`));
    const timer = setTimeout(
      () => done(new Error(`cognito-local did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Terminates a child process and resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function savedDirectory(file: string): LocalDirectory | undefined {
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Omit<LocalDirectory, 'users'> & {
    users: Record<string, string>;
  };
  return { ...saved, users: new Map(Object.entries(saved.users)) };
}

/**
 * Starts cognito-local on a free loopback port with its data in `dataDir`. The first start (or
 * any start after the directory was deleted) provisions the pool like the Auth stack's and the
 * given users, and records the ids next to cognito-local's data; later starts reuse them, so
 * users, their `sub`s and the API keys they own survive restarts.
 */
export async function startLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  mkdirSync(options.dataDir, { recursive: true });
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [START_SCRIPT], {
    cwd: options.dataDir,
    // cognito-local builds the token issuer from HOST and PORT.
    env: { PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await waitForCognitoLocal(child, options.startTimeoutMs ?? 20_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  // Keep draining its output so the pipe never fills and blocks the emulator.
  child.stdout?.resume();
  child.stderr?.resume();

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  try {
    const file = path.join(options.dataDir, DIRECTORY_FILE);
    let directory = savedDirectory(file);
    const provisioned = directory === undefined;
    if (directory === undefined) {
      directory = await provisionLocalDirectory(client, { users: options.users });
      writeFileSync(
        file,
        JSON.stringify({ ...directory, users: Object.fromEntries(directory.users) }, null, 2),
        { mode: 0o600 },
      );
    }
    const issuer = `${endpoint}/${directory.userPoolId}`;
    const response = await fetch(`${issuer}/.well-known/jwks.json`);
    if (!response.ok) throw new Error(`cognito-local JWKS answered ${response.status}`);
    return {
      endpoint,
      issuer,
      jwks: await response.text(),
      directory,
      provisioned,
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    client.destroy();
  }
}
