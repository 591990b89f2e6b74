import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpErrorFromBus } from './bus-error.mapping';
import { envelope, ERROR_NAMES, HttpError } from './http-error';

/**
 * Fixed messages for errors raised by the framework itself (body size and content type, a URL or
 * Content-Length it cannot make sense of), which Nest hands over as HttpExceptions. Their own
 * messages may quote the request, so they are never echoed. Our refusals are HttpErrors with
 * fixed messages (the strict JSON body parser's among them) and pass through as they are.
 */
function frameworkMessage(status: number): string {
  switch (status) {
    case 400:
      return 'Malformed request';
    case 413:
      return 'Request body is larger than 64 KiB';
    case 415:
      return 'Unsupported content type: send application/json';
    default:
      return status >= 500 ? 'Something went wrong' : 'Request refused';
  }
}

function toHttpError(exception: unknown, request: FastifyRequest): HttpError {
  if (exception instanceof HttpError) return exception;
  const fromBus = httpErrorFromBus(exception);
  if (fromBus !== undefined) return fromBus;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) {
      const path = request.url.split('?')[0];
      const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path;
      return new HttpError(404, 'NotFound', `Route ${request.method}:${shown} not found`);
    }
    return new HttpError(status, ERROR_NAMES[status] ?? 'Error', frameworkMessage(status));
  }
  return new HttpError(500, 'InternalServerError', 'Something went wrong');
}

/** Every non-2xx answer leaves here, in the envelope, with no stack, SQL or hostname in it. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorEnvelopeFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = toHttpError(exception, request);
    // A 503 is always one we chose to give (a dependency is down): news, not a bug, so no stack trace.
    if (error.statusCode === 503) {
      this.logger.warn({ msg: 'Request answered with an error', status: error.statusCode, message: error.message });
    } else if (error.statusCode >= 500) {
      this.logger.error({ msg: 'Request failed', status: error.statusCode, err: exception });
    }
    for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
    void reply
      .status(error.statusCode)
      .header('x-request-id', request.id)
      .send(envelope(request.id, error.statusCode, error.body, error.error, error.extra));
  }
}
