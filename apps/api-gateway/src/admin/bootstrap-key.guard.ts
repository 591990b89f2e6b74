import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/http-error';

export const BOOTSTRAP_KEY_HEADER = 'X-Bootstrap-Key';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/**
 * Whoever bootstraps first owns the instance. With BOOTSTRAP_KEY set, only a caller presenting it
 * in X-Bootstrap-Key may try, and nothing reaches the bus otherwise. Both sides are hashed before
 * a constant-time comparison, so neither the key's length nor where a guess differs shows in
 * the timing.
 */
@Injectable()
export class BootstrapKeyGuard implements CanActivate {
  private readonly logger = new Logger(BootstrapKeyGuard.name);
  private readonly expected: Buffer | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = config.bootstrapKey === undefined ? undefined : sha256(Buffer.from(config.bootstrapKey, 'utf8'));
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = request.headers[BOOTSTRAP_KEY_HEADER.toLowerCase()];
    if (typeof presented !== 'string' || presented === '') {
      this.logger.warn({ msg: 'Bootstrap refused: no X-Bootstrap-Key', reqId: request.id });
      throw new HttpError(401, 'UnauthorizedError', 'X-Bootstrap-Key header is required');
    }
    // Node decodes header values as Latin-1: back to the bytes sent, to compare with the key's UTF-8 bytes.
    if (!timingSafeEqual(sha256(Buffer.from(presented, 'latin1')), this.expected)) {
      this.logger.warn({ msg: 'Bootstrap refused: wrong X-Bootstrap-Key', reqId: request.id });
      throw new HttpError(401, 'UnauthorizedError', 'X-Bootstrap-Key is not valid');
    }
    return true;
  }
}
