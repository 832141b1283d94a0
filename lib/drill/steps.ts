import { DrillTimeoutError, waitFor } from './clock';
import type { StepContext, StepImplementation, Verification } from './runner';

/** A step implementation; `run` defaults to nothing (a step that only verifies). */
export function step(
  implementation: Partial<StepImplementation> & Pick<StepImplementation, 'verify'>,
): StepImplementation {
  return { run: async () => undefined, ...implementation };
}

/**
 * A verification that waits for real state: `check` is polled every `intervalMs` until it passes;
 * running out of time is a failed verification saying what was seen last, not an error.
 */
export async function verifyWithin(
  context: StepContext,
  what: string,
  options: { readonly timeoutMs: number; readonly intervalMs: number },
  check: () => Promise<Verification>,
): Promise<Verification> {
  try {
    return await waitFor(context.clock, what, options, async () => {
      const result = await check();
      return result.ok
        ? { done: true as const, value: result }
        : { done: false as const, why: result.detail };
    });
  } catch (error) {
    if (error instanceof DrillTimeoutError) return { ok: false, detail: error.message };
    throw error;
  }
}
