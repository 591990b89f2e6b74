import { Injectable } from '@nestjs/common';
import { ErrorCodes, ErrorMessages } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';
import { SessionsService } from '../sessions/sessions.service';
import { verifyAgainstDummy, verifyPassword } from '../users/password-hasher';
import { HashGate } from './hash-gate';
import { LoginLockout } from './login-lockout';

const FOREIGN_KEY_VIOLATION = '23503';

/** The same answer for an unknown email and a wrong password: the caller learns nothing about who exists. */
const invalid = () => new DomainError(ErrorCodes.loginInvalid, ErrorMessages.loginInvalid);

/** Human login: email and password for a session token. */
@Injectable()
export class LoginService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lockout: LoginLockout,
    private readonly sessions: SessionsService,
    private readonly gate: HashGate,
  ) {}

  /**
   * `email` comes lower-cased (LoginSchema). Through the HashGate (SERVICE.BUSY when it is full,
   * before anything is counted), then counted before the password is checked: see LoginLockout.
   */
  login(email: string, password: string, clientAddress: string): Promise<{ accessToken: string }> {
    return this.gate.run(() => this.check(email, password, clientAddress));
  }

  private async check(email: string, password: string, clientAddress: string): Promise<{ accessToken: string }> {
    await this.lockout.reserve(email, clientAddress);
    const { rows } = await execute<{ id: string; password_hash: string }>(
      this.dataSource.manager,
      'SELECT id, password_hash FROM users WHERE email = $1',
      [email],
    );
    const user = rows[0];
    // An unknown email still costs one argon2 verification, like a wrong password does.
    const valid = user === undefined ? await verifyAgainstDummy(password) : await verifyPassword(user.password_hash, password);
    if (!valid || user === undefined) throw invalid();
    await this.lockout.reset(email, clientAddress);
    try {
      return { accessToken: await this.sessions.open(user.id) };
    } catch (error) {
      // The user was deleted while its password was being checked.
      if ((error as { driverError?: { code?: string } }).driverError?.code === FOREIGN_KEY_VIOLATION) throw invalid();
      throw error;
    }
  }
}
