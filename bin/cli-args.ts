import { parseArgs } from 'node:util';

/** A command's parsed line: the `-c env=NAME` environment and its boolean flags. */
export interface EnvironmentArgs<Flag extends string> {
  readonly env: string;
  readonly flags: Readonly<Record<Flag, boolean>>;
}

/**
 * Parses `-c env=NAME [--flag ...]`, the command line of the environment commands (`preflight`,
 * `cost`), like `cdk`'s context: `env` is required, any other context key is refused. Returns what
 * is wrong, as one line, instead of throwing.
 */
export function parseEnvironmentArgs<Flag extends string>(
  argv: readonly string[],
  flags: readonly Flag[],
): EnvironmentArgs<Flag> | string {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        context: { type: 'string', short: 'c', multiple: true },
        ...Object.fromEntries(flags.map((flag) => [flag, { type: 'boolean' as const }])),
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  const context = Object.fromEntries(
    ((values.context as string[] | undefined) ?? []).map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
  const unknown = Object.keys(context).filter((key) => key !== 'env');
  if (unknown.length > 0) return `unknown context ${unknown.join(', ')}`;
  if (!context.env) return 'which environment? -c env=<name> is required';
  return {
    env: context.env,
    flags: Object.fromEntries(flags.map((flag) => [flag, values[flag] === true])) as Record<Flag, boolean>,
  };
}
