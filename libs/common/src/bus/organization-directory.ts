import { Injectable } from '@nestjs/common';
import { Member, OrgRole, Principal, Subjects } from '@app/contracts';
import { BusClient } from './bus.client';

/**
 * Organization roles belong to organization-service; this port is how the other services that
 * authorize their own data (identity-service, user-service) ask about them. A port rather than
 * the bus client itself, so their tests can answer with a stub instead of a broker. A refusal
 * from organization-service (ORGANIZATION.NOT_FOUND, PERMISSION.DENIED…) fails the call as a
 * BusRemoteError, which the BusExceptionFilter relays to our own caller with its code.
 */
export abstract class OrganizationDirectory {
  /** The member's role in the organization; null when it is not a member. */
  abstract memberRole(organizationId: string, member: Member): Promise<OrgRole | null>;

  /** Sets an identity's role; organization-service authorizes the caller for it. */
  abstract setIdentityRole(caller: Principal, organizationId: string, identityId: string, role: OrgRole): Promise<OrgRole>;
}

/** The real OrganizationDirectory: organization-service over the bus. */
@Injectable()
export class BusOrganizationDirectory extends OrganizationDirectory {
  constructor(private readonly bus: BusClient) {
    super();
  }

  async memberRole(organizationId: string, member: Member): Promise<OrgRole | null> {
    return (await this.bus.send(Subjects.organization.getMemberRole, { organizationId, member })).role;
  }

  async setIdentityRole(caller: Principal, organizationId: string, identityId: string, role: OrgRole): Promise<OrgRole> {
    return (await this.bus.send(Subjects.organization.setIdentityRole, { caller, organizationId, identityId, role })).role;
  }
}

export const organizationDirectoryProvider = { provide: OrganizationDirectory, useClass: BusOrganizationDirectory };
