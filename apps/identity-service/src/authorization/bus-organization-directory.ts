import { Injectable } from '@nestjs/common';
import { ErrorCode, ErrorCodes, Member, OrgRole, Principal, Subjects } from '@app/contracts';
import { BusClient, BusRemoteError, DomainError } from '@app/common';
import { OrganizationDirectory } from './organization-directory';

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));
const isErrorCode = (code: string): code is ErrorCode => KNOWN_CODES.has(code);

/**
 * organization-service's refusal (ORGANIZATION.NOT_FOUND, PERMISSION.DENIED, …) becomes our
 * DomainError, so it reaches our caller with its code and message. Anything else (a code we do
 * not know, no reply, nobody listening) is left as it is for the exception filter.
 */
export async function relayDomainErrors<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof BusRemoteError && isErrorCode(error.code)) throw new DomainError(error.code, error.body.message);
    throw error;
  }
}

/** The real OrganizationDirectory: organization-service over the bus. */
@Injectable()
export class BusOrganizationDirectory extends OrganizationDirectory {
  constructor(private readonly bus: BusClient) {
    super();
  }

  async memberRole(organizationId: string, member: Member): Promise<OrgRole | null> {
    const { role } = await relayDomainErrors(this.bus.send(Subjects.organization.getMemberRole, { organizationId, member }));
    return role;
  }

  async setIdentityRole(caller: Principal, organizationId: string, identityId: string, role: OrgRole): Promise<OrgRole> {
    const reply = await relayDomainErrors(
      this.bus.send(Subjects.organization.setIdentityRole, { caller, organizationId, identityId, role }),
    );
    return reply.role;
  }
}
