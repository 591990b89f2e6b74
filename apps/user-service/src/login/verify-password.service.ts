import { Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';
import { verifyAgainstDummy, verifyPassword } from '../users/password-hasher';
import { HashGate } from './hash-gate';
import { LoginLockout } from './login-lockout';

/**
 * user.cmd.verify-password, the password check of the orchestrator's re-claim of the root
 * credential: a password oracle unless it is limited like login is. So it goes through the same
 * lockout, keyed on the same thing, the user's email and the client's address: a re-claim
 * attempt and a login attempt count together (5 consecutive failures of either lock both for 5
 * minutes from that address; a success of either resets the count), so an address gets 5
 * guesses per 5 minutes in total, not 5 per door.
 *
 * Every answer costs one argon2 verification, so its time tells nothing: an unknown user id
 * (what the orchestrator sends when the Idempotency-Key or email did not match) and a locked
 * account are checked against a dummy hash. Neither counts against any account.
 */
@Injectable()
export class VerifyPasswordService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lockout: LoginLockout,
    private readonly gate: HashGate,
  ) {}

  /**
   * Whether the password is the user's; LOGIN.LOCKED while the user's email is locked out from
   * that address; SERVICE.BUSY when the HashGate is full.
   */
  verify(userId: string, password: string, clientAddress: string): Promise<boolean> {
    return this.gate.run(() => this.check(userId, password, clientAddress));
  }

  private async check(userId: string, password: string, clientAddress: string): Promise<boolean> {
    const { rows } = await execute<{ email: string; password_hash: string }>(
      this.dataSource.manager,
      'SELECT email, password_hash FROM users WHERE id = $1',
      [userId],
    );
    const user = rows[0];
    if (user === undefined) return verifyAgainstDummy(password);
    try {
      await this.lockout.reserve(user.email, clientAddress);
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCodes.loginLocked) await verifyAgainstDummy(password);
      throw error;
    }
    const valid = await verifyPassword(user.password_hash, password);
    if (valid) await this.lockout.reset(user.email, clientAddress);
    return valid;
  }
}
