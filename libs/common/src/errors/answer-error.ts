/**
 * An error that is an answer — a refusal, or a remote service's error body — not a fault. It is
 * thrown for every such request, and its stack would say nothing (where the answer is decided is
 * in its code), so none is captured: collecting the frames was the costliest part of a refused
 * request in a profile of the gateway (see bench/README.md).
 */
export class AnswerError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}
