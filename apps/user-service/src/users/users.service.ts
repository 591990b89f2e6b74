import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CompensatedReply, ErrorCodes, UserView } from '@app/contracts';
import { DomainError } from '@app/common';
import { compensateSaga, enterSagaStep, execute } from '@app/database';
import { DataSource } from 'typeorm';
import { hashPassword, prepareDummyHash } from './password-hasher';
import { UserEntity } from './user.entity';

// WIRE: Infisical's bootstrap names the admin user "Admin User".
const ADMIN_FIRST_NAME = 'Admin';
const ADMIN_LAST_NAME = 'User';
const USER_VIEW_COLUMNS =
  'id, email, username, first_name AS "firstName", last_name AS "lastName", super_admin AS "superAdmin"';

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
    return this.insertAdmin(sagaId, userId, email, passwordHash);
  }

  /** Plain SQL: this is the bootstrap's critical path, and TypeORM's query building costs more CPU than the statements. */
  private insertAdmin(sagaId: string, userId: string, email: string, passwordHash: string): Promise<UserView> {
    return this.dataSource.transaction(async (m) => {
      await enterSagaStep(m, sagaId);
      const existing = await execute<UserView>(m, `SELECT ${USER_VIEW_COLUMNS} FROM users WHERE saga_id = $1`, [sagaId]);
      if (existing.rows.length === 1) return existing.rows[0];
      const { rows } = await execute<UserView>(
        m,
        `INSERT INTO users (id, email, username, first_name, last_name, super_admin, password_hash, saga_id)
         VALUES ($1, $2, $2, $3, $4, true, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING ${USER_VIEW_COLUMNS}`,
        [userId, email, ADMIN_FIRST_NAME, ADMIN_LAST_NAME, passwordHash, sagaId],
      );
      if (rows.length === 0) throw new DomainError(ErrorCodes.emailTaken, 'User already exists');
      return rows[0];
    });
  }

  /** Compensation of createAdmin: idempotent, and refuses the create should it arrive later. */
  deleteForSaga(sagaId: string): Promise<CompensatedReply> {
    return compensateSaga(this.dataSource, sagaId, async (m) => (await m.delete(UserEntity, { sagaId })).affected ?? 0);
  }
}
