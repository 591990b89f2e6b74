import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CompensatedReply, ErrorCodes, UserView } from '@app/contracts';
import { DomainError } from '@app/common';
import { compensateSaga, enterSagaStep } from '@app/database';
import { DataSource, QueryFailedError } from 'typeorm';
import { hashPassword, prepareDummyHash } from './password-hasher';
import { UserEntity } from './user.entity';

// WIRE: Infisical's bootstrap names the admin user "Admin User".
const ADMIN_FIRST_NAME = 'Admin';
const ADMIN_LAST_NAME = 'User';
const UNIQUE_VIOLATION = '23505';

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    superAdmin: user.superAdmin,
  };
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  constructor(private readonly dataSource: DataSource) {}

  /** Before the service takes commands (see prepareDummyHash). */
  async onApplicationBootstrap(): Promise<void> {
    await prepareDummyHash();
  }

  /** Idempotent on the saga id: a retried command returns the user it created the first time. */
  async createAdmin(sagaId: string, userId: string, rawEmail: string, password: string): Promise<UserView> {
    // Emails are stored lower-cased (a CHECK enforces it), whoever sends them.
    const email = rawEmail.trim().toLowerCase();
    // Hash outside the transaction: it is the slow part, and needs no lock.
    const passwordHash = await hashPassword(password);
    try {
      return await this.insertAdmin(sagaId, userId, email, passwordHash);
    } catch (error) {
      // Another saga inserted the same email between our check and our insert.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError(ErrorCodes.emailTaken, 'User already exists');
      }
      throw error;
    }
  }

  private insertAdmin(sagaId: string, userId: string, email: string, passwordHash: string): Promise<UserView> {
    return this.dataSource.transaction(async (m) => {
      await enterSagaStep(m, sagaId);
      const existing = await m.findOne(UserEntity, { where: { sagaId } });
      if (existing !== null) return toUserView(existing);
      if (await m.exists(UserEntity, { where: { email } })) {
        throw new DomainError(ErrorCodes.emailTaken, 'User already exists');
      }
      const user = m.create(UserEntity, {
        id: userId,
        email,
        username: email,
        firstName: ADMIN_FIRST_NAME,
        lastName: ADMIN_LAST_NAME,
        superAdmin: true,
        passwordHash,
        sagaId,
      });
      await m.insert(UserEntity, user);
      const created = await m.findOneOrFail(UserEntity, { where: { sagaId } });
      return toUserView(created);
    });
  }

  /** Compensation of createAdmin: idempotent, and refuses the create should it arrive later. */
  deleteForSaga(sagaId: string): Promise<CompensatedReply> {
    return compensateSaga(this.dataSource, sagaId, async (m) => (await m.delete(UserEntity, { sagaId })).affected ?? 0);
  }
}
