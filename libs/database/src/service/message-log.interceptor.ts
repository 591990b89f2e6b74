import { performance } from 'node:perf_hooks';
import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { BusHeaders } from '@app/contracts';
import { NatsContext } from '@nestjs/microservices';
import { Observable, tap } from 'rxjs';
import { busErrorCode, currentCorrelationId, metrics, withCorrelation } from '@app/common';

/**
 * One info line and one metric observation per bus message handled, from a single measurement:
 * subject, message id, duration and outcome (ok, or error with the code the caller receives).
 * Never the payload: it may hold a password or a token. nestjs-pino does not fit here — it hooks
 * HTTP requests, and these are NATS messages. The transport (GracefulServerNats) already runs
 * the handler in the sender's correlation id; the line is written in that id explicitly, since
 * an observable may complete outside the context it was subscribed in.
 */
@Injectable()
export class BusMessageInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Bus');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<NatsContext>();
    const subject = ctx?.getSubject?.() ?? 'unknown';
    const messageId = ctx?.getHeaders?.()?.get(BusHeaders.messageId) || undefined;
    const correlationId = currentCorrelationId();
    const started = performance.now();
    // At debug, also the arrival: it shows a command is in a handler's hands right now (the
    // shutdown tests wait for it to signal a service mid-command).
    this.logger.debug({ msg: 'Command received', subject, messageId });
    let done = false;
    const finish = (error?: { code: string }) => {
      if (done) return;
      done = true;
      const seconds = (performance.now() - started) / 1000;
      const outcome = error === undefined ? 'ok' : 'error';
      metrics.busMessages.inc({ subject, outcome, code: error?.code ?? '' });
      metrics.busMessageDuration.observe({ subject, outcome }, seconds);
      const line = { msg: 'Bus message handled', subject, messageId, durationMs: Math.round(seconds * 10_000) / 10, outcome, errorCode: error?.code };
      const write = () => this.logger.log(line);
      if (correlationId === undefined || currentCorrelationId() === correlationId) write();
      else withCorrelation(correlationId, write);
    };
    return next.handle().pipe(
      tap({
        complete: () => finish(),
        error: (error: unknown) => finish({ code: busErrorCode(error) }),
      }),
    );
  }
}
