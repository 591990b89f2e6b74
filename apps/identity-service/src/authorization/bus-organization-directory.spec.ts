import { randomUUID } from 'node:crypto';
import { ErrorCodes, Subjects } from '@app/contracts';
import { BusClient, BusRemoteError, BusTimeoutError, DomainError } from '@app/common';
import { BusOrganizationDirectory } from './bus-organization-directory';

const member = { type: 'identity' as const, id: randomUUID() };

function directoryAnswering(send: jest.Mock): BusOrganizationDirectory {
  return new BusOrganizationDirectory({ send } as unknown as BusClient);
}

describe(BusOrganizationDirectory.name, () => {
  it("asks organization-service for the member's role", async () => {
    const send = jest.fn().mockResolvedValue({ role: 'member' });
    const orgId = randomUUID();
    await expect(directoryAnswering(send).memberRole(orgId, member)).resolves.toBe('member');
    expect(send).toHaveBeenCalledWith(Subjects.organization.getMemberRole, { organizationId: orgId, member });
  });

  it("relays organization-service's domain refusal as a DomainError with its code and message", async () => {
    const refusal = new BusRemoteError(Subjects.organization.getMemberRole, { code: ErrorCodes.organizationNotFound, message: 'Organization not found' });
    const error = await directoryAnswering(jest.fn().mockRejectedValue(refusal)).memberRole(randomUUID(), member).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: ErrorCodes.organizationNotFound, message: 'Organization not found' });
  });

  it('leaves a remote error with a code it does not know as it is', async () => {
    const unknown = new BusRemoteError(Subjects.organization.setIdentityRole, { code: 'SOMETHING.NEW', message: 'x' });
    const call = directoryAnswering(jest.fn().mockRejectedValue(unknown)).setIdentityRole(
      { type: 'user', id: randomUUID(), orgId: null, isInstanceAdmin: false, tokenId: randomUUID() },
      randomUUID(),
      randomUUID(),
      'member',
    );
    await expect(call).rejects.toBe(unknown);
  });

  it('leaves a timeout as it is: the role change may have run', async () => {
    const timeout = new BusTimeoutError(Subjects.organization.getMemberRole, 10);
    await expect(directoryAnswering(jest.fn().mockRejectedValue(timeout)).memberRole(randomUUID(), member)).rejects.toBe(timeout);
  });
});
