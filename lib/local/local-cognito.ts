import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  Agent,
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
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
  /**
   * `http://127.0.0.1:<port>`: the SDK endpoint override. It is the session guard in front of
   * cognito-local ({@link startCognitoSessionGuard}), never cognito-local itself.
   */
  readonly endpoint: string;
  /** Token issuer (`iss`): cognito-local's own address (which it writes into tokens) and the pool id. */
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
  /**
   * The pool's password policy, which the session guard enforces (cognito-local enforces none).
   * @default DEPLOYED_PASSWORD_POLICY
   */
  readonly passwordPolicy?: LocalPasswordPolicy;
  /**
   * How long a challenge session stays valid.
   * @default COGNITO_SESSION_VALIDITY_MS (3 minutes, Cognito's default AuthSessionValidity)
   */
  readonly sessionValidityMs?: number;
  /** Clock of the session guard (epoch milliseconds). @default Date.now */
  readonly now?: () => number;
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

// ---------------------------------------------------------------------------------------------
// Session guard: cognito-local answers RespondToAuthChallenge for any `Session` string (it never
// looks at it), issues NEW_PASSWORD_REQUIRED without checking the temporary password, and
// enforces no password policy. Real Cognito refuses all three, so the local stack must too.

/** Cognito's password policy, in the shape of `AWS::Cognito::UserPool` `Policies.PasswordPolicy`. */
export interface LocalPasswordPolicy {
  readonly MinimumLength: number;
  readonly RequireLowercase: boolean;
  readonly RequireUppercase: boolean;
  readonly RequireNumbers: boolean;
  readonly RequireSymbols: boolean;
}

/**
 * The policy of the deployed pool (`lib/constructs/identity/user-directory.ts`); a test compares it
 * with the synthesized `AWS::Cognito::UserPool`, so the two cannot drift apart.
 */
export const DEPLOYED_PASSWORD_POLICY: LocalPasswordPolicy = {
  MinimumLength: 12,
  RequireLowercase: true,
  RequireUppercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
};

/** Cognito's default `AuthSessionValidity` (the login client keeps the default): 3 minutes. */
export const COGNITO_SESSION_VALIDITY_MS = 3 * 60_000;

/** The characters Cognito counts as symbols (its documented list, space included). */
const COGNITO_SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');

/**
 * Why `password` breaks `policy`, in Cognito's words (the text after "Password did not conform
 * with policy: "), or undefined when it complies.
 */
export function passwordPolicyViolation(password: string, policy: LocalPasswordPolicy): string | undefined {
  const characters = [...password];
  if (characters.length < policy.MinimumLength) return 'Password not long enough';
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (policy.RequireLowercase && !/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (policy.RequireNumbers && !/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (policy.RequireSymbols && !characters.some((c) => COGNITO_SYMBOLS.has(c)))
    return 'Password must have symbol characters';
  return undefined;
}

/** What cognito-local stores about a user that the guard needs (from its JSON database). */
export interface LocalUserRecord {
  readonly UserStatus?: string;
  readonly Password?: string;
}

export interface CognitoSessionGuardOptions {
  /** cognito-local's address, `http://127.0.0.1:<port>`. */
  readonly upstream: string;
  /** @default DEPLOYED_PASSWORD_POLICY */
  readonly passwordPolicy?: LocalPasswordPolicy;
  /** @default COGNITO_SESSION_VALIDITY_MS */
  readonly sessionValidityMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Looks a user up by Cognito user name (`USER_ID_FOR_SRP`), to check the temporary password
   * before a NEW_PASSWORD_REQUIRED session is handed out. Without it such a session is refused.
   */
  readonly userRecord?: (username: string) => LocalUserRecord | undefined;
}

/** The guard in front of cognito-local. */
export interface CognitoSessionGuard {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A session cognito-local issued, bound as Cognito binds it. */
interface IssuedSession {
  readonly clientId: string | undefined;
  /** Admin flows name the pool; user flows do not. */
  readonly userPoolId: string | undefined;
  /** Lower-cased names the session's user may be addressed by: the sign-in name and Cognito's user name. */
  readonly usernames: ReadonlySet<string>;
  readonly challengeName: string;
  readonly expiresAt: number;
}

type CognitoRequest = Record<string, unknown>;

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const MAX_BODY_BYTES = 1024 * 1024;
/** Sessions kept at most (the oldest go first); a local stack never has this many logins in 3 minutes. */
const MAX_SESSIONS = 10_000;

/** Request fields holding a new password, per target: each must meet the policy. */
const PASSWORD_FIELDS: Readonly<Record<string, string>> = {
  ConfirmForgotPassword: 'Password',
  ChangePassword: 'ProposedPassword',
  AdminSetUserPassword: 'Password',
  AdminCreateUser: 'TemporaryPassword',
  SignUp: 'Password',
};

function record(value: unknown): CognitoRequest | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as CognitoRequest)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function lower(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
}

/** Cognito's error wire shape: HTTP 400 (500 for its own faults), `x-amzn-errortype`, `{ __type, message }`. */
function sendCognitoError(res: ServerResponse, type: string, message: string, status = 400): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.cognito.identity.idp.model/`,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Starts a loopback HTTP proxy in front of cognito-local that holds it to what Cognito enforces
 * and cognito-local does not:
 *
 * - RespondToAuthChallenge / AdminRespondToAuthChallenge need a `Session` that cognito-local issued
 *   (InitiateAuth, AdminInitiateAuth or an earlier challenge answer) through this guard, for the same
 *   app client (and pool), user and challenge, less than `sessionValidityMs` ago, and not used up by
 *   a successful answer. Anything else is `NotAuthorizedException` ("Invalid session for the user."),
 *   before cognito-local sees the request, so a known and an unknown user get the same answer.
 *   A failed answer (wrong code, password against the policy) leaves the session usable, so the
 *   client can correct it within the session's lifetime.
 * - AssociateSoftwareToken / VerifySoftwareToken called with a `Session` need a valid one too.
 * - A NEW_PASSWORD_REQUIRED session is only handed out when the temporary password was right
 *   (cognito-local skips that check): otherwise `NotAuthorizedException`, like a wrong password.
 * - New passwords (NEW_PASSWORD_REQUIRED answers, ConfirmForgotPassword, ChangePassword,
 *   AdminSetUserPassword, AdminCreateUser, SignUp) must meet the pool's password policy:
 *   `InvalidPasswordException` otherwise.
 *
 * Everything else passes through unchanged.
 */
export async function startCognitoSessionGuard(
  options: CognitoSessionGuardOptions,
): Promise<CognitoSessionGuard> {
  const upstream = new URL(options.upstream);
  const policy = options.passwordPolicy ?? DEPLOYED_PASSWORD_POLICY;
  const validityMs = options.sessionValidityMs ?? COGNITO_SESSION_VALIDITY_MS;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, IssuedSession>();
  const agent = new Agent({ keepAlive: true });

  const remember = (session: unknown, binding: Omit<IssuedSession, 'expiresAt'>): void => {
    if (typeof session !== 'string' || session === '') return;
    const time = now();
    for (const [key, issued] of sessions) {
      if (issued.expiresAt > time && sessions.size < MAX_SESSIONS) break;
      sessions.delete(key); // Map order is insertion order: expired or surplus entries come first
    }
    sessions.set(session, { ...binding, expiresAt: time + validityMs });
  };

  /** The session's binding, or the reason Cognito would give for refusing it. */
  const check = (
    session: unknown,
    expected: { clientId?: string; userPoolId?: string; username?: string; challengeName?: string },
  ): IssuedSession | string => {
    const issued = typeof session === 'string' ? sessions.get(session) : undefined;
    if (issued === undefined) return 'Invalid session for the user.';
    if (issued.expiresAt <= now()) {
      sessions.delete(session as string);
      return 'Invalid session for the user, session is expired.';
    }
    if (
      (expected.clientId !== undefined && expected.clientId !== issued.clientId) ||
      (expected.userPoolId !== undefined && expected.userPoolId !== issued.userPoolId) ||
      (expected.challengeName !== undefined && expected.challengeName !== issued.challengeName) ||
      (expected.username !== undefined && !issued.usernames.has(expected.username.toLowerCase()))
    ) {
      return 'Invalid session for the user.';
    }
    return issued;
  };

  const forward = (req: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const outbound = httpRequest(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          );
          answer.on('error', reject);
        },
      );
      outbound.on('error', reject);
      outbound.end(body);
    });

  const reply = (res: ServerResponse, answer: UpstreamAnswer): void => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (
        value === undefined ||
        ['transfer-encoding', 'connection', 'keep-alive', 'content-length'].includes(name)
      )
        continue;
      headers[name] = value;
    }
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const parsed = (answer: UpstreamAnswer): CognitoRequest | undefined => {
    if (answer.status !== 200) return undefined;
    try {
      return record(JSON.parse(answer.body.toString('utf8')));
    } catch {
      return undefined;
    }
  };

  const temporaryPasswordRight = (username: string | undefined, password: unknown): boolean => {
    if (username === undefined || typeof password !== 'string' || options.userRecord === undefined)
      return false;
    try {
      const user = options.userRecord(username);
      return user?.UserStatus === 'FORCE_CHANGE_PASSWORD' && user.Password === password;
    } catch {
      return false; // an unreadable directory fails closed
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    if (body === undefined) {
      sendCognitoError(res, 'InvalidParameterException', 'Request body too large');
      return;
    }
    const targetHeader = req.headers['x-amz-target'];
    const target =
      req.method === 'POST' && typeof targetHeader === 'string' && targetHeader.startsWith(TARGET_PREFIX)
        ? targetHeader.slice(TARGET_PREFIX.length)
        : undefined;
    let input: CognitoRequest | undefined;
    if (target !== undefined) {
      try {
        input = record(JSON.parse(body.toString('utf8')));
      } catch {
        input = undefined; // cognito-local answers malformed JSON itself
      }
    }
    if (target === undefined || input === undefined) {
      reply(res, await forward(req, body));
      return;
    }

    const passwordField = PASSWORD_FIELDS[target];
    if (passwordField !== undefined && typeof input[passwordField] === 'string') {
      const violation = passwordPolicyViolation(input[passwordField] as string, policy);
      if (violation !== undefined) {
        sendCognitoError(
          res,
          'InvalidPasswordException',
          `Password did not conform with policy: ${violation}`,
        );
        return;
      }
    }

    switch (target) {
      case 'InitiateAuth':
      case 'AdminInitiateAuth': {
        const answer = await forward(req, body);
        const output = parsed(answer);
        const challengeName = text(output?.ChallengeName);
        if (output !== undefined && challengeName !== undefined) {
          const parameters = record(input.AuthParameters) ?? {};
          const srpName = text(record(output.ChallengeParameters)?.USER_ID_FOR_SRP);
          if (
            challengeName === 'NEW_PASSWORD_REQUIRED' &&
            !temporaryPasswordRight(srpName, parameters.PASSWORD)
          ) {
            sendCognitoError(res, 'NotAuthorizedException', 'Incorrect username or password.');
            return;
          }
          const usernames = new Set(
            [lower(parameters.USERNAME), lower(srpName)].filter((n): n is string => n !== undefined),
          );
          remember(output.Session, {
            clientId: text(input.ClientId),
            userPoolId: text(input.UserPoolId),
            usernames,
            challengeName,
          });
        }
        reply(res, answer);
        return;
      }
      case 'RespondToAuthChallenge':
      case 'AdminRespondToAuthChallenge': {
        const responses = record(input.ChallengeResponses) ?? {};
        const issued = check(input.Session, {
          clientId: text(input.ClientId) ?? '',
          userPoolId: target === 'AdminRespondToAuthChallenge' ? (text(input.UserPoolId) ?? '') : undefined,
          username: text(responses.USERNAME) ?? '',
          challengeName: text(input.ChallengeName) ?? '',
        });
        if (typeof issued === 'string') {
          sendCognitoError(res, 'NotAuthorizedException', issued);
          return;
        }
        if (input.ChallengeName === 'NEW_PASSWORD_REQUIRED' && typeof responses.NEW_PASSWORD === 'string') {
          const violation = passwordPolicyViolation(responses.NEW_PASSWORD, policy);
          if (violation !== undefined) {
            sendCognitoError(
              res,
              'InvalidPasswordException',
              `Password did not conform with policy: ${violation}`,
            );
            return;
          }
        }
        const answer = await forward(req, body);
        const output = parsed(answer);
        if (output !== undefined) {
          // Answered: the session is used up; a further challenge comes with a session of its own.
          sessions.delete(input.Session as string);
          const next = text(output.ChallengeName);
          if (next !== undefined) remember(output.Session, { ...issued, challengeName: next });
        }
        reply(res, answer);
        return;
      }
      case 'AssociateSoftwareToken':
      case 'VerifySoftwareToken': {
        if (input.Session === undefined || input.AccessToken !== undefined) break;
        const issued = check(input.Session, {});
        if (typeof issued === 'string') {
          sendCognitoError(res, 'NotAuthorizedException', issued);
          return;
        }
        const answer = await forward(req, body);
        const output = parsed(answer);
        if (output !== undefined && output.Session !== input.Session) {
          sessions.delete(input.Session as string);
          remember(output.Session, { ...issued, challengeName: 'MFA_SETUP' });
        }
        reply(res, answer);
        return;
      }
      default:
        break;
    }
    reply(res, await forward(req, body));
  };

  const server = createHttpServer((req, res) => {
    handle(req, res).catch(() => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendCognitoError(
        res,
        'InternalErrorException',
        'The local Cognito session guard could not reach cognito-local',
        500,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** cognito-local's record of a user (its JSON database under `<dataDir>/.cognito/db/`). */
function cognitoLocalUser(
  dataDir: string,
  userPoolId: string,
  username: string,
): LocalUserRecord | undefined {
  const file = path.join(dataDir, '.cognito', 'db', `${userPoolId}.json`);
  const db = JSON.parse(readFileSync(file, 'utf8')) as { Users?: Record<string, LocalUserRecord> };
  return db.Users?.[username];
}

/**
 * Starts cognito-local on a free loopback port with its data in `dataDir`, behind the session
 * guard ({@link startCognitoSessionGuard}), whose address is the `endpoint` the functions use.
 * The first start (or any start after the directory was deleted) provisions the pool like the
 * Auth stack's and the given users, and records the ids next to cognito-local's data; later starts
 * reuse them, so users, their `sub`s and the API keys they own survive restarts.
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

  const upstream = `http://127.0.0.1:${port}`;
  // Provisioning talks to cognito-local directly: it is the operator's setup, not a client call.
  const client = new CognitoIdentityProviderClient({
    endpoint: upstream,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  let guard: CognitoSessionGuard | undefined;
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
    const issuer = `${upstream}/${directory.userPoolId}`;
    const response = await fetch(`${issuer}/.well-known/jwks.json`);
    if (!response.ok) throw new Error(`cognito-local JWKS answered ${response.status}`);
    const jwks = await response.text();
    const { userPoolId } = directory;
    guard = await startCognitoSessionGuard({
      upstream,
      passwordPolicy: options.passwordPolicy,
      sessionValidityMs: options.sessionValidityMs,
      now: options.now,
      userRecord: (username) => cognitoLocalUser(options.dataDir, userPoolId, username),
    });
    const running = guard;
    return {
      endpoint: guard.endpoint,
      issuer,
      jwks,
      directory,
      provisioned,
      async stop() {
        await running.stop();
        await stopChild(child);
      },
    };
  } catch (error) {
    await guard?.stop();
    await stopChild(child);
    throw error;
  } finally {
    client.destroy();
  }
}
