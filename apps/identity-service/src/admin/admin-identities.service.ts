import { Injectable } from '@nestjs/common';
import { AdminIdentityView, ErrorCodes, ErrorMessages, IdentityRef, Principal } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';
import { IdentityAccess } from '../authorization/identity-access';
import { findIdentity } from '../identities/identity.queries';
import { identityRef } from '../identities/identity.views';

/** LIKE's wildcards and its escape character, taken literally in a search term. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The server-admin panel's view of identities. Only an instance admin may use it. */
@Injectable()
export class AdminIdentitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: IdentityAccess,
  ) {}

  /** Every identity whose name contains the term (case-insensitive), in creation order. */
  async list(caller: Principal, offset: number, limit: number, searchTerm: string): Promise<{ identities: AdminIdentityView[]; total: number }> {
    this.access.requireInstanceAdmin(caller);
    const pattern = likePattern(searchTerm);
    const m = this.dataSource.manager;
    const [{ rows }, { rows: counted }] = await Promise.all([
      execute<AdminIdentityView>(
        m,
        `SELECT id, name, is_instance_admin AS "isInstanceAdmin" FROM identities
          WHERE name ILIKE $1 ESCAPE '\\' ORDER BY created_at, id OFFSET $2 LIMIT $3`,
        [pattern, offset, limit],
      ),
      execute<{ total: number }>(m, `SELECT count(*)::int AS total FROM identities WHERE name ILIKE $1 ESCAPE '\\'`, [pattern]),
    ]);
    return { identities: rows, total: counted[0]?.total ?? 0 };
  }

  /** For the orchestrator's "never zero admins" count and the admin config. */
  async listAdminIds(): Promise<string[]> {
    const { rows } = await execute<{ id: string }>(
      this.dataSource.manager,
      'SELECT id FROM identities WHERE is_instance_admin ORDER BY created_at, id',
    );
    return rows.map((r) => r.id);
  }

  /**
   * Takes the instance-admin permission away; the identity and its tokens stay, and its next
   * request authenticates as an ordinary identity. `lastAdmin` comes from the orchestrator,
   * which counts every admin (users and identities) under a lock.
   */
  revokeInstanceAdmin(caller: Principal, identityId: string, lastAdmin: boolean): Promise<IdentityRef> {
    this.access.requireInstanceAdmin(caller);
    return this.dataSource.transaction(async (m) => {
      const identity = await findIdentity(m, identityId, true);
      if (!identity.isInstanceAdmin) throw new DomainError(ErrorCodes.notInstanceAdmin, 'This identity is not an instance admin');
      if (lastAdmin) throw new DomainError(ErrorCodes.lastInstanceAdmin, ErrorMessages.lastInstanceAdmin);
      identity.isInstanceAdmin = false;
      await m.save(identity);
      return identityRef(identity);
    });
  }
}
