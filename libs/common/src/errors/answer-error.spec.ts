import { ErrorCodes } from '@app/contracts';
import { BusRemoteError } from '../bus/bus-errors';
import { AnswerError } from './answer-error';
import { DomainError } from './domain-error';

describe(AnswerError.name, () => {
  it.each([
    ['AnswerError', () => new AnswerError('refused')],
    ['DomainError', () => new DomainError(ErrorCodes.instanceAlreadyInitialized, 'refused')],
    ['BusRemoteError', () => new BusRemoteError('bootstrap.cmd.start', { code: ErrorCodes.instanceAlreadyInitialized, message: 'refused' })],
  ])('a %s carries its message but captures no stack frames', (_, make) => {
    const error = make();
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('refused');
    expect(error.stack).not.toMatch(/\n\s+at /);
  });

  it('leaves the stack trace limit as it was, so faults keep their frames', () => {
    const limit = Error.stackTraceLimit;
    new AnswerError('refused');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('fault').stack).toMatch(/\n\s+at /);
  });
});
