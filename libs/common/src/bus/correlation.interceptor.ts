import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { BusHeaders } from '@app/contracts';
import { NatsContext } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { correlationStorage } from '../logging/correlation';

/**
 * Runs each bus handler inside the sender's correlation id, so its log lines carry it, and
 * logs (at debug) which command arrived — its subject and message id, never its payload.
 */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Bus');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<NatsContext>();
    const headers = ctx?.getHeaders?.();
    const correlationId = headers?.get(BusHeaders.correlationId) || undefined;
    return new Observable((subscriber) => {
      const handle = () => {
        this.logger.debug({ msg: 'Command received', subject: ctx?.getSubject?.(), messageId: headers?.get(BusHeaders.messageId) });
        return next.handle().subscribe(subscriber);
      };
      return correlationId === undefined ? handle() : correlationStorage.run({ correlationId }, handle);
    });
  }
}
