import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { BusHeaders } from '@app/contracts';
import { NatsContext } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { correlationStorage } from '../logging/correlation';

/** Runs each bus handler inside the sender's correlation id, so its log lines carry it. */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<NatsContext>();
    const correlationId = ctx?.getHeaders?.()?.get(BusHeaders.correlationId) || undefined;
    if (correlationId === undefined) return next.handle();
    return new Observable((subscriber) =>
      correlationStorage.run({ correlationId }, () => next.handle().subscribe(subscriber)),
    );
  }
}
