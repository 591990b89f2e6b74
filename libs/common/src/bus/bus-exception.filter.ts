import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { BusErrorBody, ErrorCodes } from '@app/contracts';
import { Observable, throwError } from 'rxjs';
import { DomainError } from '../errors/domain-error';

/**
 * Serializes every handler failure into a BusErrorBody. Domain errors keep their code and
 * message; anything else is logged here and leaves as a bare INTERNAL, so no stack, SQL or
 * hostname ever crosses the bus.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(BusExceptionFilter.name);

  catch(exception: unknown, _host: ArgumentsHost): Observable<BusErrorBody> {
    if (exception instanceof DomainError) return throwError(() => exception.toBody());
    this.logger.error({ msg: 'Handler failed', err: exception });
    return throwError(() => ({ code: ErrorCodes.internal, message: 'Internal error' }));
  }
}
