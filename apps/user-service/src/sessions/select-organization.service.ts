import { Injectable } from '@nestjs/common';
import { ErrorCodes, Principal } from '@app/contracts';
import { DomainError } from '@app/common';
import { TokenService } from '@app/tokens';
import { OrganizationDirectory } from '@app/common';
import { SessionsService } from './sessions.service';

/** Scopes a user's login session to one of their organizations. */
@Injectable()
export class SelectOrganizationService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly directory: OrganizationDirectory,
    private readonly tokens: TokenService,
  ) {}

  /** A new token of the caller's session, scoped to the organization; it ends when the session does. */
  async select(caller: Principal, organizationId: string): Promise<{ token: string }> {
    if (caller.type !== 'user') {
      throw new DomainError(ErrorCodes.permissionDenied, 'Only a user can select an organization');
    }
    const expiresAt = await this.sessions.activeUntil(caller.tokenId, caller.id);
    const role = await this.directory.memberRole(organizationId, { type: 'user', id: caller.id });
    if (role === null || role === 'no-access') {
      throw new DomainError(ErrorCodes.permissionDenied, 'You are not a member of this organization');
    }
    return { token: this.tokens.signUserAccessToken(caller.id, caller.tokenId, new Date(), expiresAt, organizationId) };
  }
}
