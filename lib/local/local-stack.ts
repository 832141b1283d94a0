import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import { setKeyGateway } from '../../lambda/runtime/api-keys';
import { LocalKeyGateway, type LocalGatewayKey } from '../../lambda/domain/api-keys/local-key-gateway';
import type { LocalUserSpec } from '../../lambda/domain/auth/local-directory';
import { resetRuntimeAuthDeps } from '../../lambda/runtime/auth';
import { flushOutbox } from '../../lambda/domain/events/outbox';
import { systemClock } from '../../lambda/domain/events/types';
import { createProject, listProjects } from '../../lambda/domain/projects/projects';
import { MOUNTS, ROUTES } from '../../lambda/routes';
import { API_KEY_TIERS, type ApiKeyTier, type Role } from '../../lambda/shared/access';
import { closeDb, createPool, getDb } from '../../lambda/shared/db';
import { runMigrations } from '../../lambda/shared/db/migrate';
import { setReadinessProbes } from '../../lambda/runtime/health';
import { runtimeProjectDeps, setEventPublisher } from '../../lambda/runtime/projects';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { usagePlanName } from '../constructs/api/secure-rest-api';
import type { EnvironmentConfig } from '../config';
import { readDeployedApi, type CloudFormationTemplate, type DeployedApi } from './deployed-api';
import { functionEnvironments, synthesizeApiTemplate } from './synth-api';
import {
  clientErrorResponse,
  createLocalGateway,
  type AccessLogEntry,
  type ProxyHandler,
  type RequestAuthorizer,
} from './gateway';
import { apiReferenceListener } from './api-reference';
import { localLambdaContext } from './lambda-context';
import {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  startLocalCognito,
  type LocalCognito,
} from './local-cognito';
import { LocalQueue, type QueueWorker } from './local-queue';

/** A seed user of the local directory. */
export interface SeedUser extends LocalUserSpec {
  readonly roles: readonly Role[];
}

/**
 * The three local users. These passwords exist only in the local emulator (documented in
 * docs/local.md and printed at start-up); they are never valid anywhere else.
 */
export const SEED_USERS: readonly SeedUser[] = [
  { email: 'admin@example.com', password: 'Local-Admin-Pass-1!', roles: ['admin'] },
  { email: 'editor@example.com', password: 'Local-Editor-Pass-1!', roles: ['editor'] },
  { email: 'viewer@example.com', password: 'Local-Viewer-Pass-1!', roles: ['viewer'] },
];

/**
 * Settings the Api stack gives its functions that local mode passes on as they are in the
 * template (the rest of their environment points at AWS resources and is replaced locally).
 */
const TEMPLATE_FUNCTION_SETTINGS = [
  'TOKEN_USAGE_KEYS',
  'USAGE_PLAN_LIMITS',
  'API_KEY_ROTATION_GRACE_HOURS',
  'CORS_ALLOWED_ORIGINS',
] as const;

export interface LocalStackOptions {
  /** Repository root (handlers, migrations and node_modules resolve from it). */
  readonly rootDir: string;
  /** Where the embedded database, the emulator's data and the gateway's keys persist (git-ignored). */
  readonly dataDir: string;
  /** Delete everything under `dataDir` first. @default false */
  readonly fresh?: boolean;
  /** @default 3000; 0 picks a free port */
  readonly port?: number;
  /** Use this PostgreSQL server instead of the embedded one. @default - embedded PGlite */
  readonly databaseUrl?: string;
  /**
   * Connections in the functions' shared pool.
   * @default 1 on the embedded PGlite (one backend that serializes statements), 4 on a server
   */
  readonly databasePoolMax?: number;
  /** The environment whose Api stack is synthesized and served (`npm start`: dev). */
  readonly environment: EnvironmentConfig;
  /** The Api stack's synthesized template. @default - synthesized from `environment` at start */
  readonly apiTemplate?: CloudFormationTemplate;
  /** @default SEED_USERS */
  readonly users?: readonly SeedUser[];
  /** Create a few projects when the database has none. @default true */
  readonly seed?: boolean;
  /**
   * More variables for the functions (e.g. `READINESS_CACHE_MS`). Powertools settings
   * (`POWERTOOLS_LOG_LEVEL`, `POWERTOOLS_METRICS_DISABLED`) are read when its modules load, so the
   * caller sets them before importing this module (bin/local.ts does).
   */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /** Receives before a queue message is dead-lettered. @default 3 */
  readonly maxReceiveCount?: number;
  /** Milliseconds between outbox relay runs (the deployed relay runs on a schedule). @default 5000 */
  readonly outboxRelayIntervalMs?: number;
  readonly onRequest?: (entry: AccessLogEntry) => void;
  /**
   * The local stand-in of an HTTP backend mount: maps the template's backend URL to a local server.
   * @default - the template's URL, called as it is
   */
  readonly httpBackendUrl?: (templateUrl: string) => string;
  readonly log?: (line: string) => void;
  /**
   * The gateway's clock in epoch milliseconds: method and usage plan throttles, quotas and the
   * authorizer cache. Tests pass a manual clock to prove throttling without racing the wall clock.
   * @default Date.now
   */
  readonly gatewayClock?: () => number;
}

/** A user as the stack created it. */
export interface LocalUser extends SeedUser {
  readonly sub: string;
}

/** The running local stack. */
export interface LocalStack {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly users: readonly LocalUser[];
  readonly cognito: LocalCognito;
  readonly queue: LocalQueue;
  readonly keyGateway: LocalKeyGateway;
  /** The PostgreSQL URL the functions use. */
  readonly databaseUrl: string;
  /** Milliseconds from the call to a listening gateway with handlers loaded. */
  readonly startupMs: number;
  /** Startup phases, in milliseconds since the start. */
  readonly phases: Readonly<Record<string, number>>;
  /** Stops everything this stack started and restores the process environment. */
  stop(): Promise<void>;
}

const GATEWAY_KEYS_FILE = 'gateway-keys.json';

function loadGatewayKeys(gateway: LocalKeyGateway, file: string): void {
  if (!existsSync(file)) return;
  for (const key of JSON.parse(readFileSync(file, 'utf8')) as LocalGatewayKey[])
    gateway.keys.set(key.id, key);
}

/** Loads a module of `lambda/functions` and returns its `handler` export. */
async function loadHandler<T>(rootDir: string, entry: string): Promise<T> {
  const file = path.join(rootDir, 'lambda', 'functions', entry);
  const loaded = (await import(file)) as { handler?: T };
  if (loaded.handler === undefined) throw new Error(`${entry} exports no handler`);
  return loaded.handler;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the local stack: PostgreSQL (embedded PGlite or `databaseUrl`) migrated and seeded,
 * cognito-local with the directory and seed users, the real handlers behind the real authorizer
 * in the local gateway, and the real worker fed by the local queue. Only loopback is used.
 *
 * The functions read their settings from `process.env`, as in Lambda; one process serves them
 * all here, so the stack sets the union of their variables and restores the old values on stop.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  const mark = (phase: string) => (phases[phase] = Math.round(performance.now() - started));
  const log = options.log ?? (() => undefined);
  if (options.fresh === true) rmSync(options.dataDir, { recursive: true, force: true });

  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => log(`stop: ${error instanceof Error ? error.message : String(error)}`));
    }
    cleanups.length = 0;
  };

  try {
    const users = options.users ?? SEED_USERS;
    const starting = Promise.all([
      options.databaseUrl === undefined
        ? startEmbeddedPostgres({
            dataDir: path.join(options.dataDir, 'pgdata'),
            rootDir: options.rootDir,
          }).then((db) => {
            mark('database');
            return db;
          })
        : Promise.resolve<EmbeddedPostgres | undefined>(undefined),
      startLocalCognito({ dataDir: path.join(options.dataDir, 'cognito'), users }).then((c) => {
        mark('cognito');
        return c;
      }),
    ]);
    // Synthesis is CPU work in this process; the database and the emulator boot meanwhile.
    let deployedApi: DeployedApi;
    let template: CloudFormationTemplate;
    try {
      template = options.apiTemplate ?? synthesizeApiTemplate(options.rootDir, options.environment);
      deployedApi = readDeployedApi(template);
      mark('synth');
    } catch (error) {
      await starting.then(
        ([startedDb, startedCognito]) => Promise.all([startedDb?.stop(), startedCognito.stop()]),
        () => undefined,
      );
      throw error;
    }
    const [embedded, cognito] = await starting;
    if (embedded !== undefined) cleanups.push(() => embedded.stop());
    cleanups.push(() => cognito.stop());
    const databaseUrl = options.databaseUrl ?? embedded!.url;
    const templateSettings: Record<string, string> = {};
    for (const variables of functionEnvironments(template).values()) {
      for (const name of TEMPLATE_FUNCTION_SETTINGS) {
        if (variables[name] !== undefined) templateSettings[name] = variables[name];
      }
    }

    const environment: Record<string, string> = {
      ...templateSettings,
      AWS_REGION: LOCAL_AWS_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      DATABASE_URL: databaseUrl,
      // PGlite is one backend that serializes statements (test/support/database.ts explains why 1).
      DB_POOL_MAX: String(options.databasePoolMax ?? (embedded !== undefined ? 1 : 4)),
      COGNITO_ENDPOINT: cognito.endpoint,
      USER_POOL_ID: cognito.directory.userPoolId,
      LOGIN_CLIENT_ID: cognito.directory.clientId,
      LOGIN_CLIENT_SECRET: cognito.directory.clientSecret,
      TOKEN_ISSUER: cognito.issuer,
      ALLOWED_CLIENT_IDS: cognito.directory.clientId,
      JWKS: cognito.jwks,
      // cognito-local has no GetTokensFromRefreshToken and no MFA for seeded admins (docs/auth.md).
      REFRESH_TOKEN_ROTATION: 'false',
      REQUIRE_ADMIN_MFA: 'false',
      ...options.functionEnvironment,
    };
    const saved = new Map(Object.keys(environment).map((name) => [name, process.env[name]]));
    Object.assign(process.env, environment);
    cleanups.push(() => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    const migrationPool = createPool({ connectionString: databaseUrl, max: 1 });
    try {
      const migrations = await runMigrations(migrationPool);
      if (migrations.applied.length > 0) log(`applied migrations: ${migrations.applied.join(', ')}`);
    } finally {
      await migrationPool.end();
    }
    mark('migrations');

    // Routes and the mounts served by a function (an HTTP backend mount has none), by operation name.
    const served = [
      ...ROUTES.map((route) => ({ id: route.id, handler: route.handler })),
      ...MOUNTS.flatMap((mount) =>
        'handler' in mount.target ? [{ id: mount.id, handler: mount.target.handler }] : [],
      ),
    ];
    const [authorizer, worker, ...routeHandlers] = await Promise.all([
      loadHandler<RequestAuthorizer>(options.rootDir, 'authorizer/handler.ts'),
      loadHandler<QueueWorker>(options.rootDir, 'worker/handler.ts'),
      ...served.map((route) => loadHandler<ProxyHandler>(options.rootDir, route.handler)),
    ]);
    const handlers = new Map<string, ProxyHandler>(
      served.map((route, index) => [route.id, routeHandlers[index]]),
    );
    mark('handlers');

    const queue = new LocalQueue({
      worker: (event: SQSEvent, context: Context) => worker(event, context),
      context: () => localLambdaContext('worker', 30_000),
      maxReceiveCount: options.maxReceiveCount,
      onWorkerError: (error) =>
        log(`worker failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    const tierPlans = new Map(
      API_KEY_TIERS.map((tier) => [tier, usagePlanName(deployedApi.restApiName, tier)] as const),
    );
    const dailyQuota: Partial<Record<ApiKeyTier, number>> = {};
    for (const [tier, planName] of tierPlans) {
      const quota = deployedApi.usagePlans.find((plan) => plan.name === planName)?.quota;
      if (quota?.period === 'DAY') dailyQuota[tier] = quota.limit;
    }
    const keyGateway = new LocalKeyGateway(systemClock, dailyQuota);
    const keysFile = path.join(options.dataDir, GATEWAY_KEYS_FILE);
    loadGatewayKeys(keyGateway, keysFile);
    setEventPublisher(queue);
    setKeyGateway(keyGateway);
    setReadinessProbes({
      // The queue is in this process: it is reachable whenever the server answers.
      pingQueue: async () => undefined,
      deadLetterCount: async () => queue.deadLetters().length,
    });
    cleanups.push(() => {
      setEventPublisher(undefined);
      setKeyGateway(undefined);
      setReadinessProbes({});
      resetRuntimeAuthDeps();
    });
    cleanups.push(() => closeDb());
    cleanups.push(() => queue.stop());
    cleanups.push(() =>
      writeFileSync(keysFile, JSON.stringify([...keyGateway.keys.values()], null, 2), { mode: 0o600 }),
    );

    if (options.seed !== false) await seedProjects(users, cognito);
    mark('seed');

    const relay = setInterval(() => {
      flushOutbox(getDb(), queue, new Date()).catch((error: unknown) =>
        log(`outbox relay: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, options.outboxRelayIntervalMs ?? 5_000);
    relay.unref();
    cleanups.push(() => clearInterval(relay));

    // The contract and its reference beside the API (local mode only: docs/local.md).
    const reference = apiReferenceListener(options.rootDir);
    const gateway = createLocalGateway({
      api: deployedApi,
      // Each method's operation name is its route id (SecureRestApi sets it from the manifest).
      integrationFor: (method) =>
        method.operationName === undefined ? undefined : handlers.get(method.operationName),
      authorizerFor: () => authorizer,
      runtimeKeyPlan: (value) => {
        const tier = keyGateway.tierOf(value);
        return tier === undefined ? undefined : tierPlans.get(tier);
      },
      meterApiKey: (value) => keyGateway.recordCall(value),
      onRequest: options.onRequest,
      httpBackendUrl: options.httpBackendUrl,
      now: options.gatewayClock,
      onError: (error, { requestId }) =>
        log(
          `request ${requestId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        ),
    });
    const serve = (request: IncomingMessage, response: ServerResponse): void => {
      if (!reference(request, response)) void gateway(request, response);
    };
    const server = createServer(serve);
    server.keepAliveTimeout = 5_000;
    // Requests Node's parser refuses still get a problem body and the security headers.
    server.on('clientError', (error: Error & { code?: string }, socket) => {
      if (socket.writable) socket.end(clientErrorResponse(error));
      else socket.destroy();
    });
    // CONNECT (no listener: Node would close the socket without a word) is refused the same way;
    // an Expect other than 100-continue (Node: a bare 417) is ignored, as a proxy that drops it.
    server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
      if (socket.writable) socket.end(clientErrorResponse(new Error('CONNECT is not served')));
      else socket.destroy();
    });
    server.on('checkExpectation', serve);
    const port = await listen(server, options.port ?? 3000);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    mark('listening');

    const stackUsers = users.map((user) => ({ ...user, sub: cognito.directory.users.get(user.email) ?? '' }));
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      users: stackUsers,
      cognito,
      queue,
      keyGateway,
      databaseUrl,
      startupMs: Math.round(performance.now() - started),
      phases,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A few projects for the editor to find, created through the domain (outbox events included). */
async function seedProjects(users: readonly SeedUser[], cognito: LocalCognito): Promise<void> {
  const editor = users.find((user) => user.roles.includes('editor')) ?? users[0];
  const owner = editor === undefined ? undefined : cognito.directory.users.get(editor.email);
  if (owner === undefined) return;
  const deps = runtimeProjectDeps();
  if ((await listProjects(deps, { limit: '1' })).items.length > 0) return;
  const samples = [
    { name: 'Website relaunch', description: 'Seed project (local mode)', status: 'active' },
    { name: 'Billing migration', description: 'Seed project (local mode)', status: 'draft' },
    { name: 'Archive 2025', description: 'Seed project (local mode)', status: 'archived' },
  ] as const;
  for (const input of samples) {
    await createProject(deps, { principal: owner, input });
  }
}
