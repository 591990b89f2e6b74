import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { SecretMatcher } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/http-error';

export const BOOTSTRAP_KEY_HEADER = 'X-Bootstrap-Key';

/** The X-Bootstrap-Key header's bytes: Node decodes header values as Latin-1, this undoes it. */
export function bootstrapKeyBytes(request: FastifyRequest): Buffer | undefined {
  const presented = request.headers[BOOTSTRAP_KEY_HEADER.toLowerCase()];
  return typeof presented === 'string' && presented !== '' ? Buffer.from(presented, 'latin1') : undefined;
}

/**
 * Whoever bootstraps first owns the instance. With BOOTSTRAP_KEY set, only a caller presenting it
 * in X-Bootstrap-Key may try, and nothing reaches the bus otherwise (compared in constant time,
 * SecretMatcher). The orchestrator checks it again, so the gateway's NATS credentials alone
 * cannot skip it.
 */
@Injectable()
export class BootstrapKeyGuard implements CanActivate {
  private readonly logger = new Logger(BootstrapKeyGuard.name);
  private readonly key: SecretMatcher | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = config.bootstrapKey === undefined ? undefined : new SecretMatcher(config.bootstrapKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.key === undefined) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = bootstrapKeyBytes(request);
    if (presented === undefined) {
      this.logger.warn({ msg: 'Bootstrap refused: no X-Bootstrap-Key', reqId: request.id });
      throw new HttpError(401, 'UnauthorizedError', 'X-Bootstrap-Key header is required');
    }
    if (!this.key.matches(presented)) {
      this.logger.warn({ msg: 'Bootstrap refused: wrong X-Bootstrap-Key', reqId: request.id });
      throw new HttpError(401, 'UnauthorizedError', 'X-Bootstrap-Key is not valid');
    }
    return true;
  }
}
