import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { BusHeaders } from '@app/contracts';
import { NatsContext } from '@nestjs/microservices';
import { Observable } from 'rxjs';

/**
 * Logs (at debug) which command arrived — its subject and message id, never its payload. The
 * transport (GracefulServerNats) already runs the handler in the sender's correlation id.
 */
@Injectable()
export class CommandLogInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Bus');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<NatsContext>();
    const headers = ctx?.getHeaders?.();
    this.logger.debug({ msg: 'Command received', subject: ctx?.getSubject?.(), messageId: headers?.get(BusHeaders.messageId) });
    return next.handle();
  }
}
