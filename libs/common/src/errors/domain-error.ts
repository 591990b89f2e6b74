import { BusErrorBody, ErrorCode } from '@app/contracts';

/**
 * An expected failure with a stable code. It crosses the bus as a BusErrorBody; its message and
 * details must be safe to show (no secrets, no SQL, no hostnames).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): BusErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
