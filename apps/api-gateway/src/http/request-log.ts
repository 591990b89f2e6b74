import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from '@nestjs/common';
import { metrics, withCorrelation } from '@app/common';

/** The route label of a request no route matched (404s, probes for random paths): one series, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

const logger = new Logger('Http');

/**
 * One info line and one metric observation per HTTP request, from the same measurement: method,
 * route pattern (`/api/v1/identities/:identityId`, never the raw URL, which holds ids and could
 * hold a query with a secret), status and duration. No body and no header: a request may carry a
 * password, a token or the bootstrap key. pino-http does not fit: it brings its own request ids
 * and logger per request, where ours are Fastify's genReqId and the pino root logger.
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
  const status = String(reply.statusCode);
  const seconds = reply.elapsedTime / 1000;
  const labels = { method: request.method, route, status };
  metrics.httpRequests.inc(labels);
  metrics.httpRequestDuration.observe(labels, seconds);
  // onResponse runs when the socket finished writing, outside the request's async context.
  withCorrelation(request.id, () =>
    logger.log({ msg: 'HTTP request', method: request.method, route, statusCode: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 }),
  );
}

export function logRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    logRequest(request, reply);
    done();
  });
}
