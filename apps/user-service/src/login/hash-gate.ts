import { availableParallelism } from 'node:os';
import { Provider } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError, metrics } from '@app/common';

/** Password checks run at once: one per core (argon2 is CPU-bound), at most libuv's default pool of four. */
export const HASH_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));
/** Checks that may wait for a slot, beyond those: a short queue, a wait of a few hashes at most (≈ 16 ms each). */
export const HASH_QUEUE = 4 * HASH_CONCURRENCY;
/** What a refused caller is told to wait (Retry-After). */
export const BUSY_RETRY_AFTER_S = 1;

/**
 * The password checks an unauthenticated caller can ask for (login, the re-claim's check) go
 * through this gate: HASH_CONCURRENCY run, HASH_QUEUE wait, and any more are answered at once
 * with SERVICE.BUSY (the gateway's 429 with Retry-After) — never a growing backlog, so a flood
 * of logins costs a bounded share of the CPU, leaves the rest of the service answering, and a
 * real login waits a few hashes at most or is told to retry. The bootstrap's own hash does not
 * pass here: the one-winner claim bounds it.
 */
export class HashGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency = HASH_CONCURRENCY,
    private readonly queue = HASH_QUEUE,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running += 1;
    } else if (this.waiting.length < this.queue) {
      // The slot is handed over by the work that frees it (below), so `running` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      metrics.passwordChecksRefused.inc();
      throw new DomainError(ErrorCodes.serviceBusy, 'Too many sign-in attempts at once; retry in a moment', { retryAfterSeconds: BUSY_RETRY_AFTER_S });
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.running -= 1;
      else next();
    }
  }
}

/** One gate per process (its numbers are for the whole process): built here, not by Nest's injector. */
export const hashGateProvider: Provider = { provide: HashGate, useFactory: () => new HashGate() };
