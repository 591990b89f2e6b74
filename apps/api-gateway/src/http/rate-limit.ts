import type { FastifyRequest } from 'fastify';
import { NestFastifyApplication, RouteConfig } from '@nestjs/platform-fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { AppConfig } from '@app/config';
import { HttpError } from './http-error';

/**
 * The unauthenticated routes that cost work (a password check, a saga) take at most
 * UNAUTHENTICATED_RATE_LIMIT requests a minute from one client address (the socket's peer, or
 * behind TRUST_PROXY the client X-Forwarded-For names), counted by each gateway replica on its
 * own (@fastify/rate-limit, in memory). The excess is answered 429 in the envelope with
 * Retry-After, before any body is read or any command sent. Per route: `@RateLimited()`.
 */
export async function registerRateLimit(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  if (config.unauthenticatedRateLimit === 0) return;
  await app.register(fastifyRateLimit, {
    global: false,
    max: config.unauthenticatedRateLimit,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => request.ip,
    // Retry-After only: the limit's other headers would tell a scanner how much it has left.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'RateLimitExceeded', `Too many requests from this address; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
}

/** Puts a route under the per-address limit above (inert when the limit is 0). */
export const RateLimited = () => RouteConfig({ rateLimit: {} });
