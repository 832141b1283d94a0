import type { DrillClock } from '../../../lib/drill/clock';

/**
 * A scripted fake of the drill's waits: virtual time that jumps to the next pending timer once
 * everything else has settled (checked with `setImmediate`, after the microtasks a mocked SDK call
 * resolves in). No test using it waits on a real timer.
 */
export class VirtualClock implements DrillClock {
  private time: number;
  private timers: { at: number; order: number; resolve: () => void }[] = [];
  private order = 0;
  private ticking = false;

  constructor(start = Date.parse('2026-06-01T09:00:00.000Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        this.timers = this.timers.filter((candidate) => candidate !== timer);
        resolve();
      };
      const timer = {
        at: this.time + Math.max(ms, 0),
        order: (this.order += 1),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.ticking) return;
    this.ticking = true;
    setImmediate(() => {
      this.ticking = false;
      this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.timers.shift();
      if (next === undefined) return;
      this.time = Math.max(this.time, next.at);
      next.resolve();
      if (this.timers.length > 0) this.schedule();
    });
  }
}
