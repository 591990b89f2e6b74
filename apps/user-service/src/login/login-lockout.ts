import { Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';

/** After this many consecutive failures an email is locked out… */
export const MAX_LOGIN_FAILURES = 5;
/** …for this long, even to the right password. */
export const LOGIN_LOCK_MS = 5 * 60_000;

/*
 * Counts attempts per email in Postgres, so the limit holds across replicas. An attempt is
 * reserved (counted as a failure) BEFORE its password is checked, in one statement that refuses
 * while the email is locked: concurrent attempts thus check at most MAX_LOGIN_FAILURES
 * passwords, however many arrive at once. A success then deletes the count.
 *
 * The upsert's WHERE skips the update (and RETURNING yields no row) while the lock holds; a lock
 * that has expired starts a fresh count. `failures` on the right of SET is the old value.
 */
const RESERVE_SQL = `
  INSERT INTO login_attempts AS a (email, failures, locked_until, updated_at)
  VALUES ($1, 1, CASE WHEN 1 >= $2::int THEN now() + $3::float8 * interval '1 millisecond' END, now())
  ON CONFLICT (email) DO UPDATE SET
    failures = CASE WHEN a.locked_until IS NULL THEN a.failures + 1 ELSE 1 END,
    locked_until = CASE WHEN (CASE WHEN a.locked_until IS NULL THEN a.failures + 1 ELSE 1 END) >= $2::int
                        THEN now() + $3::float8 * interval '1 millisecond' END,
    updated_at = now()
  WHERE a.locked_until IS NULL OR a.locked_until <= now()
  RETURNING failures`;

@Injectable()
export class LoginLockout {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts one attempt for the email, or throws LOGIN.LOCKED while it is locked out. */
  async reserve(email: string): Promise<void> {
    const { rows } = await execute(this.dataSource.manager, RESERVE_SQL, [email, MAX_LOGIN_FAILURES, LOGIN_LOCK_MS]);
    if (rows.length === 0) {
      throw new DomainError(ErrorCodes.loginLocked, 'Too many failed login attempts; try again in a few minutes');
    }
  }

  /** After a success: the count of consecutive failures starts again from zero. */
  async reset(email: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_attempts WHERE email = $1', [email]);
  }
}
