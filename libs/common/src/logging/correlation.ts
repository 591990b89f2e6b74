import { AsyncLocalStorage } from 'node:async_hooks';

export interface CorrelationContext {
  correlationId: string;
}

/** Carries the request's correlation id through async work, so every log line can name it. */
export const correlationStorage = new AsyncLocalStorage<CorrelationContext>();

export function currentCorrelationId(): string | undefined {
  return correlationStorage.getStore()?.correlationId;
}

export function withCorrelation<T>(correlationId: string, fn: () => T): T {
  return correlationStorage.run({ correlationId }, fn);
}
