import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';

/** After this many consecutive failures an email is locked out from that address… */
export const MAX_LOGIN_FAILURES = 5;
/** …for this long, even to the right password. */
export const LOGIN_LOCK_MS = 5 * 60_000;
/** How often the counts that no longer matter are deleted. */
export const LOGIN_ATTEMPTS_PURGE_MS = 60_000;

/*
 * Counts failed attempts per email AND client address, in Postgres, so the limit holds across
 * replicas. Per address, because a count per email alone lets a stranger anywhere keep the real
 * admin out, five wrong guesses every five minutes, for ever; per address, the stranger locks
 * out only the stranger's own address, and the admin signs in from theirs. Guesses from many
 * addresses are bounded elsewhere: each address by the gateway's rate limit, all of them together
 * by the service's HashGate (a fixed number of password checks at a time, whatever arrives).
 *
 * An attempt is reserved (counted as a failure) BEFORE its password is checked, in one statement
 * that refuses while the email is locked for that address: concurrent attempts thus check at
 * most MAX_LOGIN_FAILURES passwords, however many arrive at once. A success then deletes the
 * count. The upsert's WHERE skips the update (and RETURNING yields no row) while the lock holds;
 * a lock that has expired starts a fresh count. `failures` on the right of SET is the old value.
 */
const RESERVE_SQL = `
  INSERT INTO login_attempts AS a (email, client_address, failures, locked_until, updated_at)
  VALUES ($1, $2, 1, CASE WHEN 1 >= $3::int THEN now() + $4::float8 * interval '1 millisecond' END, now())
  ON CONFLICT (email, client_address) DO UPDATE SET
    failures = CASE WHEN a.locked_until IS NULL THEN a.failures + 1 ELSE 1 END,
    locked_until = CASE WHEN (CASE WHEN a.locked_until IS NULL THEN a.failures + 1 ELSE 1 END) >= $3::int
                        THEN now() + $4::float8 * interval '1 millisecond' END,
    updated_at = now()
  WHERE a.locked_until IS NULL OR a.locked_until <= now()
  RETURNING failures`;

@Injectable()
export class LoginLockout implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LoginLockout.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  /** Counts one attempt for the email from this address, or throws LOGIN.LOCKED while that pair is locked out. */
  async reserve(email: string, clientAddress: string): Promise<void> {
    const { rows } = await execute(this.dataSource.manager, RESERVE_SQL, [email, clientAddress, MAX_LOGIN_FAILURES, LOGIN_LOCK_MS]);
    if (rows.length === 0) {
      throw new DomainError(ErrorCodes.loginLocked, 'Too many failed login attempts; try again in a few minutes', {
        retryAfterSeconds: Math.ceil(LOGIN_LOCK_MS / 1000),
      });
    }
  }

  /** After a success: the count of consecutive failures from that address starts again from zero. */
  async reset(email: string, clientAddress: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_attempts WHERE email = $1 AND client_address = $2', [email, clientAddress]);
  }

  /**
   * Deletes the counts that no longer matter: untouched for LOGIN_LOCK_MS, so any lock they held
   * has expired and a new failure would start afresh anyway. The table holds at most what the
   * HashGate let through in the last few minutes, however long a flood goes on.
   */
  async purge(): Promise<number> {
    const { affected } = await execute(
      this.dataSource.manager,
      `DELETE FROM login_attempts WHERE updated_at < now() - $1::float8 * interval '1 millisecond'`,
      [LOGIN_LOCK_MS],
    );
    return affected;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.purge().catch((error: unknown) => this.logger.warn({ msg: 'Could not purge old login attempts', err: error }));
    }, LOGIN_ATTEMPTS_PURGE_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
