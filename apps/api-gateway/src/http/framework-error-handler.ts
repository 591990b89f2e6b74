import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { envelope, ERROR_NAMES } from './http-error';

/**
 * Fastify's `frameworkErrors`: the router refuses a URL it cannot decode (`/api/status/%zz`)
 * before any hook or Nest filter runs, and by default answers with its own body, which quotes
 * the URL and carries no reqId. Answer in the envelope instead, with a fixed message.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const statusCode = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply
    .status(statusCode)
    .header('x-request-id', request.id)
    .send(envelope(request.id, statusCode, 'Malformed request URL', ERROR_NAMES[statusCode] ?? 'BadRequest'));
}
