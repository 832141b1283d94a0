/**
 * `npm start [-- --fresh]`: the local stack (lib/local) on 127.0.0.1:$PORT (default 3000) with the
 * dev environment's gateway settings. The only reader of env and argv for local mode.
 */
import path from 'node:path';

/**
 * Powertools reads its settings when its modules load, so they are set before anything under
 * lambda/ is imported: no EMF metric lines (nothing collects them locally) and WARN logs unless
 * `LOG_LEVEL` says otherwise.
 */
function setFunctionLogging(): void {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL = process.env.LOG_LEVEL ?? 'WARN';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'rampart-local';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--fresh' && arg !== '--quiet');
  if (unknown.length > 0)
    throw new Error(`Unknown argument ${unknown.join(' ')}; usage: npm start [-- --fresh] [--quiet]`);
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
  const quiet = args.includes('--quiet');
  const rootDir = path.resolve(__dirname, '..');
  const databaseUrl = process.env.DATABASE_URL || undefined;
  setFunctionLogging();
  const { loadEnvironmentConfig } = await import('../lib/config');
  const { startLocalStack } = await import('../lib/local/local-stack');

  const stack = await startLocalStack({
    rootDir,
    dataDir: path.join(rootDir, '.local'),
    fresh: args.includes('--fresh'),
    port,
    databaseUrl,
    environment: loadEnvironmentConfig('dev'),
    log: (line) => console.error(`rampart-local: ${line}`),
    onRequest: quiet
      ? undefined
      : (entry) =>
          console.log(
            `${entry.method} ${entry.path} ${entry.status} ${entry.latencyMs} ms` +
              (entry.gatewayResponse ? ` (gateway: ${entry.gatewayResponse})` : ''),
          ),
  });

  const admin = stack.users[0];
  const editor = stack.users.find((user) => user.roles.includes('editor')) ?? admin;
  console.log(`
Rampart local stack ready in ${stack.startupMs} ms (${Object.entries(stack.phases)
    .map(([phase, ms]) => `${phase} ${ms}`)
    .join(', ')})
  API        ${stack.url}/api/v1
  database   ${databaseUrl ? 'DATABASE_URL' : `embedded PGlite (${path.join('.local', 'pgdata')})`}
  cognito    ${stack.cognito.endpoint} (pool ${stack.cognito.directory.userPoolId})

Users (local passwords, valid only in this emulator):
${stack.users.map((user) => `  ${user.email.padEnd(20)} ${user.password.padEnd(22)} ${user.roles.join(',')}`).join('\n')}

Try:
  TOKEN=$(curl -s ${stack.url}/api/v1/auth/login -H 'content-type: application/json' \\
    -d '{"email":"${editor.email}","password":"${editor.password}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
  curl -i ${stack.url}/api/v1/projects -H "authorization: Bearer $TOKEN"

Ctrl-C stops everything.
`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack...`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`rampart-local: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
