import { Injectable } from '@nestjs/common';
import { ErrorCodes, ErrorMessages, IdentityDetail, IdentityRef, IdentityView, OrgRole, Principal } from '@app/contracts';
import { DomainError } from '@app/common';
import { markSagasFinished } from '@app/database';
import { DataSource } from 'typeorm';
import { IdentityAccess } from '../authorization/identity-access';
import { OrganizationDirectory } from '@app/common';
import { IdentityEntity } from './identity.entity';
import { findIdentity, hasTokenAuth } from './identity.queries';
import { identityDetail, identityRef, identityView } from './identity.views';

/**
 * Reading, renaming, re-roling and deleting an identity. The privilege-escalation guard has
 * already authorized update and delete; get is read-only and authorized here.
 */
@Injectable()
export class IdentityManagementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: IdentityAccess,
    private readonly directory: OrganizationDirectory,
  ) {}

  async get(caller: Principal, identityId: string): Promise<IdentityDetail> {
    const identity = await findIdentity(this.dataSource.manager, identityId);
    await this.access.requireReader(caller, identity);
    return identityDetail(identity, await hasTokenAuth(this.dataSource.manager, identity.id));
  }

  /**
   * The role lives in organization-service, which authorizes that change itself; it goes first,
   * so a refused role change leaves the name as it was.
   */
  async update(caller: Principal, identityId: string, changes: { name?: string; role?: OrgRole }): Promise<IdentityView> {
    const before = await findIdentity(this.dataSource.manager, identityId);
    if (changes.role !== undefined) await this.directory.setIdentityRole(caller, before.orgId, identityId, changes.role);
    return this.dataSource.transaction(async (m) => {
      const identity = await findIdentity(m, identityId, true);
      if (changes.name !== undefined && changes.name !== identity.name) {
        identity.name = changes.name;
        await m.save(identity);
      }
      return identityView(identity, await hasTokenAuth(m, identity.id));
    });
  }

  /**
   * Deletes the identity; its Token Auth and token records go with it (ON DELETE CASCADE), so
   * every one of its tokens fails authentication from the next request on. `lastAdmin` comes
   * from the orchestrator, which counts every admin (users and identities) under a lock.
   */
  delete(identityId: string, lastAdmin: boolean): Promise<IdentityRef> {
    return this.dataSource.transaction(async (m) => {
      // The saga that created it is over: a replay of its step must not create it afresh. Its
      // lock is taken before the row's, in the order a compensation takes them.
      await markSagasFinished(m, [(await findIdentity(m, identityId)).sagaId]);
      const identity = await findIdentity(m, identityId, true);
      if (identity.isInstanceAdmin && lastAdmin) {
        throw new DomainError(ErrorCodes.lastInstanceAdmin, ErrorMessages.lastInstanceAdmin);
      }
      await m.delete(IdentityEntity, { id: identity.id });
      return identityRef(identity);
    });
  }
}
