import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLocalUser,
  provisionLocalDirectory,
  type LocalDirectory,
  type LocalUserSpec,
} from '../../lambda/domain/auth/local-directory';

export type { LocalUserSpec } from '../../lambda/domain/auth/local-directory';

/** A running cognito-local with a provisioned pool. */
export interface CognitoLocal extends LocalDirectory {
  /** `http://127.0.0.1:<port>`: the SDK endpoint override. */
  readonly endpoint: string;
  /** Token issuer (`iss`): `<endpoint>/<userPoolId>`; JWKS at `<issuer>/.well-known/jwks.json`. */
  readonly issuer: string;
  /** A Cognito SDK client pointed at the emulator (dummy credentials). */
  readonly client: CognitoIdentityProviderClient;
  /** The variables the auth functions read to run against this emulator. */
  readonly env: Readonly<Record<string, string>>;
  /** Creates another user; returns its `sub`. */
  addUser(user: LocalUserSpec): Promise<string>;
  /** The forgot-password code cognito-local stored for a user (it "sends" it to its console). */
  confirmationCode(sub: string): string | undefined;
  /** Kills the emulator and deletes its data directory. */
  stop(): Promise<void>;
}

export interface StartCognitoLocalOptions {
  readonly users?: readonly LocalUserSpec[];
  /** @default 20000 */
  readonly startTimeoutMs?: number;
}

const START_SCRIPT = require.resolve('cognito-local/lib/bin/start.js');
const READY_LINE = /Cognito Local running on (http:\/\/\S+)/;

/** Dummy credentials and region: the SDK signs requests, cognito-local ignores the signature. */
export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'local',
} as const;

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`cognito-local did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (READY_LINE.test(output)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`cognito-local exited with ${String(code)} before it was ready:\n${output}`));
    const fail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts cognito-local on a free loopback port with its data in a fresh temp directory, then
 * provisions a pool like the Auth stack's (groups admin/editor/viewer, login client with a secret)
 * and the given users. Each call is an independent emulator: tests never share state.
 */
export async function startCognitoLocal(options: StartCognitoLocalOptions = {}): Promise<CognitoLocal> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-cognito-'));
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [START_SCRIPT], {
    cwd: dataDir,
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await waitForReady(child, options.startTimeoutMs ?? 20_000);
  } catch (error) {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  // Keep draining its output so the pipe never fills and blocks the emulator.
  child.stdout?.resume();
  child.stderr?.resume();

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });
  let directory: LocalDirectory;
  try {
    directory = await provisionLocalDirectory(client, { users: options.users });
  } catch (error) {
    client.destroy();
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { userPoolId, clientId, clientSecret } = directory;
  return {
    ...directory,
    endpoint,
    issuer: `${endpoint}/${userPoolId}`,
    client,
    env: {
      ...LOCAL_AWS_ENV,
      COGNITO_ENDPOINT: endpoint,
      USER_POOL_ID: userPoolId,
      LOGIN_CLIENT_ID: clientId,
      LOGIN_CLIENT_SECRET: clientSecret,
    },
    addUser: (user) => createLocalUser(client, userPoolId, user),
    confirmationCode(sub) {
      const db = JSON.parse(readFileSync(join(dataDir, '.cognito', 'db', `${userPoolId}.json`), 'utf8')) as {
        Users?: Record<string, { ConfirmationCode?: string }>;
      };
      return db.Users?.[sub]?.ConfirmationCode;
    },
    async stop() {
      client.destroy();
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
