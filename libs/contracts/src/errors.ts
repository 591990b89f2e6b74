/*
 * Stable error codes that cross process boundaries (instanceof does not). The gateway maps
 * them to HTTP statuses in one table; never change the meaning of an existing code.
 */
export const ErrorCodes = {
  invalidPayload: 'BUS.INVALID_PAYLOAD',
  internal: 'INTERNAL',
  instanceAlreadyInitialized: 'INSTANCE.ALREADY_INITIALIZED',
  bootstrapInProgress: 'INSTANCE.BOOTSTRAP_IN_PROGRESS',
  sagaStepFailed: 'SAGA.STEP_FAILED',
  sagaCancelled: 'SAGA.CANCELLED',
  dependencyUnavailable: 'SERVICE.DEPENDENCY_UNAVAILABLE',
  emailTaken: 'USER.EMAIL_TAKEN',
  userNotFound: 'USER.NOT_FOUND',
  identityNotFound: 'IDENTITY.NOT_FOUND',
  tokenInvalid: 'TOKEN.INVALID',
  tokenRevoked: 'TOKEN.REVOKED',
  organizationNotFound: 'ORGANIZATION.NOT_FOUND',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The error body of a failed bus reply. `details` never holds a secret. */
export interface BusErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export function isBusErrorBody(value: unknown): value is BusErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BusErrorBody).code === 'string' &&
    typeof (value as BusErrorBody).message === 'string'
  );
}
