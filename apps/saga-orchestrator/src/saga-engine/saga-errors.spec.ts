import { ErrorCodes } from '@app/contracts';
import { BusRemoteError, BusTimeoutError, DomainError } from '@app/common';
import { refusalOf } from './saga-errors';

describe(refusalOf.name, () => {
  it("passes a participant's business refusal on as it is", () => {
    const error = new BusRemoteError('organization.cmd.x', { code: ErrorCodes.organizationNotFound, message: 'Organization not found' });
    expect(refusalOf(error)).toEqual(new DomainError(ErrorCodes.organizationNotFound, 'Organization not found'));
    expect(refusalOf(error)?.code).toBe(ErrorCodes.organizationNotFound);
  });

  it.each([ErrorCodes.internal, ErrorCodes.invalidPayload, ErrorCodes.sagaCancelled, ErrorCodes.dependencyUnavailable, 'UNKNOWN.CODE'])(
    'is not for %s, a failure of the machinery',
    (code) => {
      expect(refusalOf(new BusRemoteError('user.cmd.x', { code, message: 'm' }))).toBeUndefined();
    },
  );

  it('is not for a timeout', () => {
    expect(refusalOf(new BusTimeoutError('user.cmd.x', 5))).toBeUndefined();
  });
});
