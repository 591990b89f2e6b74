import { Member, OrgRole, Principal } from '@app/contracts';

/**
 * Organization roles belong to organization-service; this port is how identity-service asks
 * about them. A port rather than the bus client itself so tests can answer with a stub instead
 * of a broker. Failures are DomainErrors with organization-service's own code (its refusal
 * reaches our caller as it is).
 */
export abstract class OrganizationDirectory {
  /** The member's role in the organization; null when it is not a member. */
  abstract memberRole(organizationId: string, member: Member): Promise<OrgRole | null>;

  /** Sets an identity's role; organization-service authorizes the caller for it. */
  abstract setIdentityRole(caller: Principal, organizationId: string, identityId: string, role: OrgRole): Promise<OrgRole>;
}
