import { Injectable } from '@nestjs/common';
import { ErrorCode, ErrorCodes, Member, OrgRole, Subjects } from '@app/contracts';
import { BusClient, BusRemoteError, DomainError } from '@app/common';

/** What user-service needs to know from organization-service, which owns memberships. */
export abstract class OrganizationDirectory {
  /** The member's role in the organization, null when not a member; ORGANIZATION.NOT_FOUND when it does not exist. */
  abstract roleOf(organizationId: string, member: Member): Promise<OrgRole | null>;
}

/** Failures of the machinery, not an answer about the organization: they stay bus errors. */
const NOT_A_REFUSAL = new Set<string>([ErrorCodes.internal, ErrorCodes.invalidPayload]);
const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));

/** Asks organization-service over the bus. Its refusals reach our caller as they are (a 404 stays a 404). */
@Injectable()
export class BusOrganizationDirectory extends OrganizationDirectory {
  constructor(private readonly bus: BusClient) {
    super();
  }

  async roleOf(organizationId: string, member: Member): Promise<OrgRole | null> {
    try {
      return (await this.bus.send(Subjects.organization.getMemberRole, { organizationId, member })).role;
    } catch (error) {
      if (error instanceof BusRemoteError && KNOWN_CODES.has(error.code) && !NOT_A_REFUSAL.has(error.code)) {
        throw new DomainError(error.code as ErrorCode, error.body.message, error.body.details);
      }
      throw error;
    }
  }
}
