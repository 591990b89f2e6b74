import { createHash } from 'node:crypto';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';

/** A bootstrap that could not run a step: the gateway answers 503 naming it. */
export function stepFailed(step: string, message: string): DomainError {
  return new DomainError(ErrorCodes.bootstrapStepFailed, message, { step });
}

/** The Idempotency-Key is kept only as this hash. */
export function hashIdempotencyKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
