import { BusErrorBody, ErrorCode } from '@app/contracts';
import { AnswerError } from './answer-error';

/**
 * An expected failure with a stable code. It crosses the bus as a BusErrorBody; its message and
 * details must be safe to show (no secrets, no SQL, no hostnames). An answer: no stack.
 */
export class DomainError extends AnswerError {
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
