import type { FastifyInstance } from 'fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { correlationStorage, gatewaySagaWaitMs } from '@app/common';
import { AppConfig } from '@app/config';
import { clientErrorHandler } from './client-error-handler';
import { frameworkErrorHandler } from './framework-error-handler';
import { envelope } from './http-error';
import { jsonBodyParser } from './json-body-parser';
import { newRequestId } from './request-id';
import { logRequests } from './request-log';

export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The whole request — headers and a body of at most 64 KiB — must arrive within 10 s of its
 * first byte, or Node answers 408 (in the envelope, see client-error-handler.ts) and closes the
 * connection: a client dribbling a body cannot hold a connection, and its parser state, for
 * long. 64 KiB takes about a second even at 512 kbit/s. Only receiving counts: the time the
 * gateway then takes to answer (a bootstrap waits for its saga) does not.
 */
export const REQUEST_TIMEOUT_MS = 10_000;
/** How often Node looks for requests past that limit; its default (30 s) would let one live 40 s. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/**
 * An idle keep-alive connection is closed after 72 s (Fastify's default): longer than the 60 s
 * idle timeout of common load balancers, so the proxy closes first and never sends a request
 * on a connection we are closing.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * A socket silent for this long is destroyed, whatever it is doing (e.g. a client that sent its
 * request and never reads the answer). Silence is legitimate while the gateway works on an
 * answer, so this must outlast the longest wait (a bootstrap: BOOTSTRAP_TIMEOUT_MS + margins)
 * and an idle keep-alive connection; 10 s more is the margin.
 */
export function connectionTimeoutMs(config: AppConfig): number {
  return Math.max(KEEP_ALIVE_TIMEOUT_MS, gatewaySagaWaitMs(config)) + 10_000;
}

/**
 * Fastify as Infisical's wire needs it: request ids `req-…` generated here (an incoming
 * x-request-id is not trusted), a 64 KiB body limit, strict JSON as the only body type, bounded
 * time to send a request, and requests Node refuses before routing answered in the envelope too.
 */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: connectionTimeoutMs(config),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Given to http.createServer: headers are bounded by the same limit as the whole request.
    http: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    genReqId: newRequestId,
    requestIdHeader: false,
    // request.ip is the client X-Forwarded-For names only behind these proxies (TRUST_PROXY).
    trustProxy: config.trustProxy ?? false,
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    // Requests that arrive while closing get our own 503 envelope (below), not Fastify's.
    return503OnClosing: false,
    logger: false,
  });
  const fastify = adapter.getInstance();
  // Any other content type is a 415.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, jsonBodyParser);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // The rest of the request runs in its correlation id: log lines carry it, and every command
  // sent for it carries it on the bus (the reqId is the correlation id end to end).
  fastify.addHook('onRequest', (request, _reply, done) => correlationStorage.run({ correlationId: request.id }, done));
  answerWhileClosing(fastify);
  logRequests(fastify);
  return adapter;
}

/**
 * While the server closes (SIGTERM), requests in flight finish; new requests on connections
 * still open get a 503 in the envelope; every response asks the client to close the connection,
 * since an in-flight request's connection would otherwise hold the close open until its
 * keep-alive timeout (72 s).
 */
function answerWhileClosing(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    await reply.code(503).send(envelope(request.id, 503, 'The server is shutting down; retry'));
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
}
