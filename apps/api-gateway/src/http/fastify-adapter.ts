import { randomBytes } from 'node:crypto';
import { FastifyAdapter } from '@nestjs/platform-fastify';

export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Fastify as Infisical's wire needs it: request ids `req-…` generated here (an incoming
 * x-request-id is not trusted), a 64 KiB body limit, and JSON as the only body type.
 */
export function createFastifyAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => `req-${randomBytes(12).toString('base64url')}`,
    requestIdHeader: false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    logger: false,
  });
  const fastify = adapter.getInstance();
  fastify.removeContentTypeParser(['text/plain']);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  return adapter;
}
