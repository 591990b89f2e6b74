import { Injectable } from '@nestjs/common';
import { ErrorCodes, ErrorMessages, Principal, UserView } from '@app/contracts';
import { DomainError } from '@app/common';
import { markSagasFinished } from '@app/database';
import { DataSource } from 'typeorm';
import { UserEntity } from '../users/user.entity';
import { toUserView } from '../users/users.service';

export interface ListUsersQuery {
  searchTerm: string;
  offset: number;
  limit: number;
  adminsOnly: boolean;
}

function requireInstanceAdmin(caller: Principal): void {
  if (!caller.isInstanceAdmin) throw new DomainError(ErrorCodes.permissionDenied, 'Only an instance admin may do this');
}

/** The search term is a plain substring: LIKE's wildcards and its escape character in it match themselves. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Server admin's view of the users: listing and deleting them. */
@Injectable()
export class UserManagementService {
  constructor(private readonly dataSource: DataSource) {}

  /** `total` counts every match, whatever the page; both come from one snapshot. */
  async list(caller: Principal, query: ListUsersQuery): Promise<{ users: UserView[]; total: number }> {
    requireInstanceAdmin(caller);
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const qb = m
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .where(`(u.email ILIKE :pattern ESCAPE '\\' OR u.username ILIKE :pattern ESCAPE '\\')`, { pattern: likePattern(query.searchTerm) })
        .orderBy('u.createdAt', 'ASC')
        .addOrderBy('u.id', 'ASC')
        .offset(query.offset)
        .limit(query.limit);
      if (query.adminsOnly) qb.andWhere('u.superAdmin = true');
      const [users, total] = await qb.getManyAndCount();
      return { users: users.map(toUserView), total };
    });
  }

  /** Every superAdmin user, for the orchestrator's "never zero admins" check. */
  async listAdminIds(): Promise<{ ids: string[] }> {
    const admins = await this.dataSource.getRepository(UserEntity).find({
      select: { id: true },
      where: { superAdmin: true },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return { ids: admins.map((u) => u.id) };
  }

  /**
   * `lastAdmin` comes from the orchestrator, which counted the admins under its lock: no other
   * admin would remain, so an admin target is refused. Its sessions go with it (ON DELETE
   * CASCADE), so its tokens stop working at once.
   */
  async delete(caller: Principal, userId: string, lastAdmin: boolean): Promise<{ user: UserView }> {
    requireInstanceAdmin(caller);
    return this.dataSource.transaction(async (m) => {
      // The saga that created the user is over: a replay of its step (the saga id is public) must
      // not create an admin afresh. Its lock is taken before the row's, in a compensation's order.
      const created = await m.findOne(UserEntity, { select: { id: true, sagaId: true }, where: { id: userId } });
      await markSagasFinished(m, [created?.sagaId]);
      const user = await m.findOne(UserEntity, { where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (user === null) throw new DomainError(ErrorCodes.userNotFound, 'User not found');
      if (user.superAdmin && lastAdmin) throw new DomainError(ErrorCodes.lastInstanceAdmin, ErrorMessages.lastInstanceAdmin);
      await m.delete(UserEntity, { id: userId });
      return { user: toUserView(user) };
    });
  }
}
