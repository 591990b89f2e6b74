/*
 * Stable error codes that cross process boundaries (instanceof does not). The gateway maps
 * them to HTTP statuses in one table; never change the meaning of an existing code.
 */
export const ErrorCodes = {
  invalidPayload: 'BUS.INVALID_PAYLOAD',
  /** A command's caller carries no valid proof of who authenticated it (forged, expired, or signed for another request). */
  callerUnverified: 'BUS.CALLER_UNVERIFIED',
  internal: 'INTERNAL',
  instanceAlreadyInitialized: 'INSTANCE.ALREADY_INITIALIZED',
  bootstrapInProgress: 'INSTANCE.BOOTSTRAP_IN_PROGRESS',
  /** BOOTSTRAP_KEY is set and the start command does not carry it. */
  bootstrapKeyInvalid: 'BOOTSTRAP.KEY_INVALID',
  sagaStepFailed: 'SAGA.STEP_FAILED',
  sagaCancelled: 'SAGA.CANCELLED',
  /**
   * A saga step for a saga that is over (completed, or what it created was deleted since), or
   * replayed with other arguments than it ran with: the participant creates and signs nothing.
   */
  sagaFinished: 'SAGA.FINISHED',
  dependencyUnavailable: 'SERVICE.DEPENDENCY_UNAVAILABLE',
  /** More unauthenticated work (password checks) waits than the service takes: retry after `details.retryAfterSeconds`. */
  serviceBusy: 'SERVICE.BUSY',
  emailTaken: 'USER.EMAIL_TAKEN',
  userNotFound: 'USER.NOT_FOUND',
  identityNotFound: 'IDENTITY.NOT_FOUND',
  tokenInvalid: 'TOKEN.INVALID',
  tokenRevoked: 'TOKEN.REVOKED',
  organizationNotFound: 'ORGANIZATION.NOT_FOUND',
  /** Authenticated, but the principal behind the token is gone, or the token does not fit the route. */
  unauthorized: 'AUTH.UNAUTHORIZED',
  /** Authenticated, but not allowed to do this. */
  permissionDenied: 'PERMISSION.DENIED',
  /** A caller without instance-admin rights touched an instance-admin identity. */
  instanceAdminProtected: 'IDENTITY.INSTANCE_ADMIN_PROTECTED',
  notInstanceAdmin: 'IDENTITY.NOT_INSTANCE_ADMIN',
  lastInstanceAdmin: 'INSTANCE.LAST_ADMIN',
  projectSlugTaken: 'PROJECT.SLUG_TAKEN',
  tokenAuthNotAttached: 'TOKEN_AUTH.NOT_ATTACHED',
  tokenAuthAlreadyAttached: 'TOKEN_AUTH.ALREADY_ATTACHED',
  tokenNotFound: 'TOKEN.NOT_FOUND',
  loginInvalid: 'LOGIN.INVALID_CREDENTIALS',
  loginLocked: 'LOGIN.LOCKED',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** WIRE: messages the contract fixes word for word. */
export const ErrorMessages = {
  instanceAdminProtected: 'You are attempting to modify an instance admin identity. This requires elevated instance admin privileges',
  loginInvalid: 'Invalid username or email',
  lastInstanceAdmin: 'This would leave the instance without any admin (user or identity)',
  instanceAlreadyInitialized: 'Instance has already been set up',
} as const;

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
