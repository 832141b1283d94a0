/**
 * Stand-in for `pgpass` in deployed bundles only (esbuild alias in
 * lib/constructs/compute/bundling.ts). `pg` reads `~/.pgpass` only when the server asks for a
 * password and the connection has none; every Rampart connection has one (an IAM token through
 * RDS Proxy, or the URL's), and a Lambda has no `~/.pgpass`. pg 8 deprecates the lookup. The
 * stand-in answers "no entry", which is what the real module answers in Lambda, without bundling
 * it and its stream splitter (4 KB).
 *
 * pg loads it with `require('pgpass')` and calls what it gets, so the function must BE the module
 * (`export =`, i.e. `module.exports = pgpass`): an ES default export would reach pg as
 * `{ default: pgpass }`, and a passwordless connection to a server that asks for a password would
 * then hang on `pgPass is not a function` instead of failing.
 */
function pgpass(_connection: unknown, callback: (password?: string) => void): void {
  callback(undefined);
}

export = pgpass;
