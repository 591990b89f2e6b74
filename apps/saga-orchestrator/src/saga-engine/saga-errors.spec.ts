import { ErrorCodes, Subjects } from '@app/contracts';
import { BusRemoteError, BusTimeoutError, BusUnavailableError, DomainError } from '@app/common';
import { QueryFailedError } from 'typeorm';
import { failureReason, publicReason, refusalOf, SagaDeadlineExceeded } from './saga-errors';

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

describe(failureReason.name, () => {
  it('says a step timed out when its command got no reply in time', () => {
    expect(failureReason('user', new BusTimeoutError(Subjects.user.createAdmin, 5_000))).toBe("step 'user' timed out");
  });

  it("says a step timed out when the saga's deadline passed before it could start", () => {
    expect(failureReason('identity', new SagaDeadlineExceeded())).toBe("step 'identity' timed out");
  });

  it('names the service nobody answered for', () => {
    expect(failureReason('user', new BusUnavailableError(Subjects.user.createAdmin))).toBe("step 'user': user-service unavailable");
  });

  it('names the service whose own dependency is down', () => {
    const error = new BusRemoteError(Subjects.organization.create, { code: ErrorCodes.dependencyUnavailable, message: 'postgres at 10.0.0.5 is down' });
    expect(failureReason('organization', error)).toBe("step 'organization': organization-service unavailable");
  });

  it("says a step was refused for a participant's business refusal", () => {
    const error = new BusRemoteError(Subjects.organization.create, { code: ErrorCodes.organizationNotFound, message: 'Organization not found' });
    expect(failureReason('organization', error)).toBe("step 'organization' refused");
  });

  it.each([
    ['an INTERNAL reply', new BusRemoteError(Subjects.identity.createInstanceAdmin, { code: ErrorCodes.internal, message: 'Internal error' })],
    ['a database error', new QueryFailedError('INSERT INTO x VALUES ($1)', ['$argon2id$v=19$secret'], new Error('relation "x" does not exist'))],
    ['any other error', new Error('getaddrinfo ENOTFOUND nats.internal.example')],
    ['a thrown string', 'boom'],
  ])('says only that a step failed for %s', (_case, error) => {
    expect(failureReason('identity', error)).toBe("step 'identity' failed");
  });
});

describe(publicReason.name, () => {
  it.each(["step 'user' timed out", "step 'user' refused", "step 'user' failed", "step 'user': user-service unavailable"])(
    'publishes %j as it is',
    (reason) => {
      expect(publicReason('user', reason)).toBe(reason);
    },
  );

  it.each([null, 'No reply to user.cmd.create-admin within 5000 ms', "step 'organization' timed out"])(
    'publishes the generic text instead of %j',
    (stored) => {
      expect(publicReason('user', stored)).toBe("step 'user' failed");
    },
  );
});
