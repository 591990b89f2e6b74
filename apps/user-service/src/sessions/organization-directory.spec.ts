import { randomUUID } from 'node:crypto';
import { BusClient, BusRemoteError, BusTimeoutError, DomainError } from '@app/common';
import { ErrorCodes, Subjects } from '@app/contracts';
import { BusOrganizationDirectory } from './organization-directory';

describe(BusOrganizationDirectory.name, () => {
  const organizationId = randomUUID();
  const member = { type: 'user' as const, id: randomUUID() };
  const send = jest.fn();
  const directory = new BusOrganizationDirectory({ send } as unknown as BusClient);

  beforeEach(() => send.mockReset());

  it("asks organization-service for the member's role and answers it", async () => {
    send.mockResolvedValue({ role: 'member' });
    await expect(directory.roleOf(organizationId, member)).resolves.toBe('member');
    expect(send).toHaveBeenCalledWith(Subjects.organization.getMemberRole, { organizationId, member });
  });

  it('answers null for a non-member', async () => {
    send.mockResolvedValue({ role: null });
    await expect(directory.roleOf(organizationId, member)).resolves.toBeNull();
  });

  it("turns organization-service's refusal into the same DomainError, so a 404 stays a 404", async () => {
    send.mockRejectedValue(
      new BusRemoteError(Subjects.organization.getMemberRole, { code: ErrorCodes.organizationNotFound, message: 'Organization not found' }),
    );
    const error = await directory.roleOf(organizationId, member).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: ErrorCodes.organizationNotFound, message: 'Organization not found' });
  });

  it.each([ErrorCodes.internal, ErrorCodes.invalidPayload, 'SOMETHING.UNKNOWN'])('leaves a %s reply a bus error', async (code) => {
    const remote = new BusRemoteError(Subjects.organization.getMemberRole, { code, message: 'failed' });
    send.mockRejectedValue(remote);
    await expect(directory.roleOf(organizationId, member)).rejects.toBe(remote);
  });

  it('leaves a timeout a bus error', async () => {
    const timeout = new BusTimeoutError(Subjects.organization.getMemberRole, 1_000);
    send.mockRejectedValue(timeout);
    await expect(directory.roleOf(organizationId, member)).rejects.toBe(timeout);
  });
});
