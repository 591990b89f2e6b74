import { ErrorCodes } from '@app/contracts';
import { BusRemoteError, BusTimeoutError, BusUnavailableError } from '@app/common';
import { httpErrorFromBus } from './bus-error.mapping';

const remote = (code: string, message = 'm', details?: Record<string, unknown>) =>
  new BusRemoteError('identity.cmd.authenticate', { code, message, ...(details === undefined ? {} : { details }) });

describe(httpErrorFromBus.name, () => {
  it.each([
    [ErrorCodes.tokenInvalid, 403, 'TokenError'],
    [ErrorCodes.tokenRevoked, 401, 'UnauthorizedError'],
    [ErrorCodes.userNotFound, 404, 'NotFound'],
    [ErrorCodes.instanceAlreadyInitialized, 400, 'BadRequest'],
    [ErrorCodes.bootstrapInProgress, 409, 'Conflict'],
  ])('maps %s to %i %s with the remote message', (code, status, error) => {
    expect(httpErrorFromBus(remote(code, 'the message'))).toMatchObject({ statusCode: status, error, body: 'the message' });
  });

  it('answers a refused payload with 422 and its issues', () => {
    const issues = [{ path: ['name'], message: 'Too long' }];
    expect(httpErrorFromBus(remote(ErrorCodes.invalidPayload, 'Invalid command payload', { issues }))).toMatchObject({
      statusCode: 422,
      error: 'ValidationFailure',
      body: issues,
    });
  });

  it.each([ErrorCodes.serviceBusy, ErrorCodes.loginLocked])('answers %s 429 with Retry-After from the refusing service', (code) => {
    expect(httpErrorFromBus(remote(code, 'wait', { retryAfterSeconds: 7 }))).toMatchObject({
      statusCode: 429,
      error: 'RateLimitExceeded',
      headers: { 'retry-after': '7' },
    });
  });

  it('leaves a caller the transport could not verify to the bare 500 (a misconfiguration, never the caller\'s doing)', () => {
    expect(httpErrorFromBus(remote(ErrorCodes.callerUnverified))).toBeUndefined();
  });

  it('leaves INTERNAL and codes it does not know to the bare 500', () => {
    expect(httpErrorFromBus(remote(ErrorCodes.internal))).toBeUndefined();
    expect(httpErrorFromBus(remote('FUTURE.CODE'))).toBeUndefined();
  });

  it('names the service that is down or slow in a 503', () => {
    expect(httpErrorFromBus(new BusUnavailableError('user.cmd.ping'))).toMatchObject({ statusCode: 503, body: expect.stringMatching(/^user-service is unavailable/) });
    expect(httpErrorFromBus(new BusTimeoutError('bootstrap.cmd.start', 10))).toMatchObject({ statusCode: 503, body: 'saga-orchestrator did not answer in time' });
  });

  it('is not for other errors', () => {
    expect(httpErrorFromBus(new Error('boom'))).toBeUndefined();
  });
});
