import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, stopChild, waitForCognitoLocal } from '../../lib/local/local-cognito';
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

/** Dummy credentials and region: the SDK signs requests, cognito-local ignores the signature. */
export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'local',
} as const;

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
    await waitForCognitoLocal(child, options.startTimeoutMs ?? 20_000);
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
