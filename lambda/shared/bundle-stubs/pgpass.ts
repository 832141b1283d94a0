/**
 * Stand-in for `pgpass` in deployed bundles only (esbuild alias in
 * lib/constructs/compute/bundling.ts). `pg` reads `~/.pgpass` only when a connection has no
 * password; every Rampart connection has one (an IAM token through RDS Proxy, or the URL's), and a
 * Lambda has no `~/.pgpass`. pg 8 deprecates the lookup. The stand-in answers "no entry", which is
 * what the real module answers in Lambda, without bundling it and its stream splitter (4 KB).
 */
export default function pgpass(_connection: unknown, callback: (password?: string) => void): void {
  callback(undefined);
}
