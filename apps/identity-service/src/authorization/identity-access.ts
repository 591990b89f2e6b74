import { Injectable } from '@nestjs/common';
import { ErrorCodes, ErrorMessages, Principal } from '@app/contracts';
import { DomainError } from '@app/common';
import { IdentityTarget } from './identity-targets';
import { OrganizationDirectory } from '@app/common';

/**
 * Who may do what with an identity. The gateway only authenticates; identity-service owns the
 * identities, so it decides, asking organization-service only for the caller's role.
 */
@Injectable()
export class IdentityAccess {
  constructor(private readonly directory: OrganizationDirectory) {}

  /**
   * To change an identity or its tokens: only an instance admin touches an instance-admin
   * identity (no privilege escalation through a weaker account); otherwise an instance admin or
   * an admin of the identity's organization, with a token acting in that organization
   * (Infisical's rule: admin rights in another organization do not count).
   */
  async requireManager(caller: Principal, target: IdentityTarget): Promise<void> {
    if (target.isInstanceAdmin && !caller.isInstanceAdmin) {
      throw new DomainError(ErrorCodes.instanceAdminProtected, ErrorMessages.instanceAdminProtected);
    }
    if (caller.isInstanceAdmin) return;
    if (caller.orgId !== target.orgId || (await this.roleOf(caller, target)) !== 'admin') {
      throw new DomainError(ErrorCodes.permissionDenied, "You must be an admin of the identity's organization");
    }
  }

  /** To read an identity: an instance admin, or any member of its organization who has access. */
  async requireReader(caller: Principal, target: IdentityTarget): Promise<void> {
    if (caller.isInstanceAdmin) return;
    const role = caller.orgId === target.orgId ? await this.roleOf(caller, target) : null;
    if (role === null || role === 'no-access') {
      throw new DomainError(ErrorCodes.permissionDenied, "You must be a member of the identity's organization");
    }
  }

  /** Server-admin commands. */
  requireInstanceAdmin(caller: Principal): void {
    if (!caller.isInstanceAdmin) throw new DomainError(ErrorCodes.permissionDenied, 'Only an instance admin may do this');
  }

  private roleOf(caller: Principal, target: IdentityTarget) {
    return this.directory.memberRole(target.orgId, { type: caller.type, id: caller.id });
  }
}
