import { CustomTransportStrategy, NatsContext, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';

/**
 * A transport that delivers a command straight to the service's registered handler, in this
 * process: the handler runs with everything Nest wraps it in (guards, pipes, the exception
 * filter), as it does behind NATS, but no broker is needed. A failure rejects with the
 * BusErrorBody the service would have sent back.
 */
export class InProcessTransport extends Server implements CustomTransportStrategy {
  listen(callback: () => void): void {
    callback();
  }

  close(): void {}

  on(): void {}

  unwrap<T>(): T {
    throw new Error('The in-process transport has no broker');
  }

  /** `headers`: what the sender's message headers would say (name → value). */
  async request(subject: string, payload: unknown, headers?: Record<string, string>): Promise<unknown> {
    const handler = this.getHandlerByPattern(subject);
    if (handler === null) throw new Error(`No handler for ${subject}`);
    const msgHeaders = headers === undefined ? undefined : { get: (name: string) => headers[name] ?? '' };
    return lastValueFrom(this.transformToObservable(await handler(payload, new NatsContext([subject, msgHeaders]))));
  }

  handles(subject: string): boolean {
    return this.getHandlerByPattern(subject) !== null;
  }
}
