import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { BusErrorBody, ErrorCodes, serviceOfSubject } from '@app/contracts';
import { Observable, throwError } from 'rxjs';
import { DomainError } from '../errors/domain-error';
import { BusRemoteError, BusTimeoutError, BusUnavailableError } from './bus-errors';

/** The code a caller receives for this handler failure (see BusExceptionFilter), for logs and metrics. */
export function busErrorCode(exception: unknown): string {
  if (exception instanceof DomainError) return exception.code;
  if (exception instanceof BusRemoteError) return exception.code;
  if (exception instanceof BusUnavailableError || exception instanceof BusTimeoutError) return ErrorCodes.dependencyUnavailable;
  return ErrorCodes.internal;
}

/**
 * Serializes every handler failure into a BusErrorBody. Domain errors keep their code and
 * message, and so does a domain error relayed from a service this handler asked (a refusal
 * from the owner of the data reaches the caller as it is); a service this handler needed but
 * could not reach is SERVICE.DEPENDENCY_UNAVAILABLE. Anything else is logged here and leaves as
 * a bare INTERNAL, so no stack, SQL or hostname ever crosses the bus.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(BusExceptionFilter.name);

  catch(exception: unknown, _host: ArgumentsHost): Observable<BusErrorBody> {
    return throwError(() => this.toBody(exception));
  }

  private toBody(exception: unknown): BusErrorBody {
    if (exception instanceof DomainError) return exception.toBody();
    if (exception instanceof BusRemoteError) return exception.body;
    if (exception instanceof BusUnavailableError || exception instanceof BusTimeoutError) {
      const service = serviceOfSubject(exception.subject) ?? 'a service';
      this.logger.warn({ msg: 'A service this command needs did not answer', subject: exception.subject, reason: exception.name });
      const what = exception instanceof BusTimeoutError ? 'did not answer in time' : 'is unavailable';
      return { code: ErrorCodes.dependencyUnavailable, message: `${service} ${what}; retry later` };
    }
    this.logger.error({ msg: 'Handler failed', err: exception });
    return { code: ErrorCodes.internal, message: 'Internal error' };
  }
}
