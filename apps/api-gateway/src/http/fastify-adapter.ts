import type { FastifyInstance } from 'fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { correlationStorage } from '@app/common';
import { clientErrorHandler } from './client-error-handler';
import { frameworkErrorHandler } from './framework-error-handler';
import { envelope } from './http-error';
import { jsonBodyParser } from './json-body-parser';
import { newRequestId } from './request-id';

export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Fastify as Infisical's wire needs it: request ids `req-…` generated here (an incoming
 * x-request-id is not trusted), a 64 KiB body limit, strict JSON as the only body type, and
 * requests Node refuses before routing answered in the envelope too.
 */
export function createFastifyAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: newRequestId,
    requestIdHeader: false,
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
