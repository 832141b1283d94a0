import type { Context } from 'hono';
import * as z from 'zod/mini';

/** The request's JSON body checked against `schema`, or the 400 response to send. */
export async function readJson<S extends z.ZodMiniType>(
  c: Context,
  schema: S,
): Promise<z.output<S> | Response> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return c.json({ error: 'the body must be JSON' }, 400);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return c.json({ error: 'the body does not match the schema' }, 400);
  return parsed.data;
}

/** PostgreSQL's unique_violation, wherever the driver wrapped it. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
