import { setImmediate as nextMacrotask } from 'node:timers/promises';

/**
 * Counts the bus handlers of this process that have started and not finished, so shutdown can
 * stop taking work and then wait for exactly what is running.
 */
export class InFlight {
  private count = 0;
  private idleWaiters = new Set<() => void>();

  get size(): number {
    return this.count;
  }

  /** Marks one unit of work as started; the returned function ends it (calling it twice is harmless). */
  begin(): () => void {
    this.count += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count -= 1;
      if (this.count === 0) this.idleWaiters.forEach((wake) => wake());
    };
  }

  /**
   * Resolves true once nothing is in flight, or false when `timeoutMs` passes first. "Nothing"
   * is checked again after the pending microtasks: a message received a moment ago reaches the
   * handler's interceptor (and is counted) a few promise hops after its arrival was counted.
   */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.count === 0) {
        await nextMacrotask();
        if (this.count === 0) return true;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await this.nextIdle(remaining);
    }
  }

  private nextIdle(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.idleWaiters.add(wake);
    });
  }
}
