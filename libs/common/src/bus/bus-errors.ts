import { BusErrorBody } from '@app/contracts';
import { AnswerError } from '../errors/answer-error';

/** Nobody answers the subject: the service is down. Immediate, and safe to retry: nothing ran. */
export class BusUnavailableError extends Error {
  readonly mayHaveRun = false;
  constructor(readonly subject: string) {
    super(`No service answers ${subject}`);
    this.name = 'BusUnavailableError';
  }
}

/** No reply within the deadline: the command may or may not have run. */
export class BusTimeoutError extends Error {
  readonly mayHaveRun = true;
  constructor(readonly subject: string, readonly timeoutMs: number) {
    super(`No reply to ${subject} within ${timeoutMs} ms`);
    this.name = 'BusTimeoutError';
  }
}

/** The handler ran and answered with an error body (an answer: no stack, see AnswerError). */
export class BusRemoteError extends AnswerError {
  readonly mayHaveRun = false;
  constructor(readonly subject: string, readonly body: BusErrorBody) {
    super(body.message);
    this.name = 'BusRemoteError';
  }
  get code(): string {
    return this.body.code;
  }
}

export type BusError = BusUnavailableError | BusTimeoutError | BusRemoteError;
