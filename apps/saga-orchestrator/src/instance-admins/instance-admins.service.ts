import { Injectable } from '@nestjs/common';
import { ErrorCodes, Member, Principal, Subjects } from '@app/contracts';
import { BusClient, DomainError } from '@app/common';
import { DataSource } from 'typeorm';

const ADMIN_REMOVAL_LOCK = 'instance-admins:removal';

/**
 * "Never zero admins": the instance's admins are superAdmin users (user-service) and
 * instance-admin identities (identity-service), two owners, so neither can see alone whether a
 * removal leaves anyone. Every command that can remove an admin comes here; removals are
 * serialized by one Postgres advisory lock (across orchestrator replicas), the owners are asked
 * for their current admins under it, and the owner then performs the removal — after its own
 * authorization of the caller — knowing whether the target is the last admin. Nothing adds an
 * admin after bootstrap, so a count taken under the lock stays true until it is released.
 */
@Injectable()
export class InstanceAdminsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: BusClient,
  ) {}

  /** Runs `remove` under the lock, telling it whether `target` is the only admin left. */
  async removing<R>(target: Member, remove: (lastAdmin: boolean) => Promise<R>): Promise<R> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ADMIN_REMOVAL_LOCK]);
      const [users, identities] = await Promise.all([
        this.bus.send(Subjects.user.listAdminIds, {}),
        this.bus.send(Subjects.identity.listAdminIds, {}),
      ]);
      const admins = [...users.ids.map((id) => `user:${id}`), ...identities.ids.map((id) => `identity:${id}`)];
      const others = admins.filter((admin) => admin !== `${target.type}:${target.id}`);
      return remove(others.length === 0);
    });
  }

  /** Server-admin routes: refused before anything is counted, so a non-admin learns nothing. */
  requireInstanceAdmin(caller: Principal): void {
    if (!caller.isInstanceAdmin) throw new DomainError(ErrorCodes.permissionDenied, 'Only an instance admin may do this');
  }
}
