import { performance } from 'node:perf_hooks';

/**
 * A probe's result shared by its callers: while a probe runs, every caller waits for that one;
 * once it is done, its result answers callers for `ttlMs` (which may depend on the result), then
 * the next caller starts a new one. A cache, not a rate limit: every caller is answered, and none waits longer than one probe.
 * A probe that throws is not kept: the next caller starts another.
 */
export class SharedProbe<T> {
  private inFlight?: Promise<T>;
  private last?: { value: T; until: number };

  constructor(
    private readonly probe: () => Promise<T>,
    private readonly ttlMs: number | ((value: T) => number),
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(): Promise<T> {
    if (this.last !== undefined && this.now() < this.last.until) return Promise.resolve(this.last.value);
    this.inFlight ??= this.probe()
      .then((value) => {
        this.last = { value, until: this.now() + (typeof this.ttlMs === 'number' ? this.ttlMs : this.ttlMs(value)) };
        return value;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
