import { FastifyAdapter } from '@nestjs/platform-fastify';
import { clientErrorHandler } from './client-error-handler';
import { frameworkErrorHandler } from './framework-error-handler';
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
    return503OnClosing: true,
    logger: false,
  });
  const fastify = adapter.getInstance();
  // Any other content type is a 415.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, jsonBodyParser);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  return adapter;
}
