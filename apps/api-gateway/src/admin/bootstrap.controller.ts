import { performance } from 'node:perf_hooks';
import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  BootstrapRequest,
  BootstrapRequestSchema,
  BootstrapResponse,
  BootstrapResponseSchema,
  ErrorCodes,
  ErrorMessages,
  IdempotencyKeySchema,
  Subjects,
} from '@app/contracts';
import { BusClient, BusRemoteError, gatewaySagaWaitMs, INITIALIZED_MEMORY_MS } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { ApiRoute } from '../http/api-route.decorator';
import { serverTiming } from '../http/server-timing';
import { RateLimited } from '../http/rate-limit';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { BootstrapKeyGuard, bootstrapKeyBytes } from './bootstrap-key.guard';
import { idempotencyKeyOf } from './idempotency-key';

const BootstrapHeadersDoc = z.object({
  'X-Bootstrap-Key': z.string().optional().describe('Required, with the exact value, when the server sets BOOTSTRAP_KEY; ignored otherwise.'),
  'Idempotency-Key': IdempotencyKeySchema.optional().describe(
    'Within BOOTSTRAP_RECLAIM_WINDOW after a successful bootstrap, the same request with the same key, email and password ' +
      'answers 200 again with a freshly minted token (earlier tokens of that bootstrap are revoked).',
  ),
});

@Public()
@Controller('api/v1/admin')
export class BootstrapController {
  /**
   * Until when this gateway knows the instance is initialized (it saw it, INITIALIZED_MEMORY_MS
   * ago at most). That state only moves forward, so meanwhile a bootstrap without
   * Idempotency-Key — what a scanner or a misconfigured job sends in a loop to this
   * unauthenticated route — is refused here, without a bus round trip and a database read. One
   * with a key still goes to the orchestrator (re-claim).
   */
  private initializedUntil = 0;

  constructor(
    private readonly bus: BusClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('bootstrap')
  @HttpCode(200)
  @RateLimited()
  @UseGuards(BootstrapKeyGuard)
  @ApiRoute({
    tag: 'Admin',
    summary: 'Bootstrap the instance',
    description:
      'Creates the admin user, the organization and an instance-admin machine identity with Token Auth, ' +
      'and returns its token. All or nothing; exactly one call ever succeeds. No authentication, ' +
      'unless the server sets BOOTSTRAP_KEY.',
    headers: BootstrapHeadersDoc,
    body: BootstrapRequestSchema,
    response: BootstrapResponseSchema,
    errors: {
      400: 'Instance has already been set up, or the body is not strict JSON',
      401: 'BOOTSTRAP_KEY is set and X-Bootstrap-Key is missing or wrong',
      409: 'Another bootstrap is in progress',
      429: 'Too many requests from this address (UNAUTHENTICATED_RATE_LIMIT a minute), or too many password checks at once; see Retry-After',
      503: 'A step could not run; nothing was kept, the same request can be retried',
    },
  })
  async bootstrap(
    @Body(new ZodBodyPipe(BootstrapRequestSchema)) body: BootstrapRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BootstrapResponse> {
    const idempotencyKey = idempotencyKeyOf(request.headers);
    // The same error the orchestrator answers, so the same envelope (see bus-error.mapping.ts).
    const alreadySetUp = { code: ErrorCodes.instanceAlreadyInitialized, message: ErrorMessages.instanceAlreadyInitialized };
    if (idempotencyKey === undefined && Date.now() < this.initializedUntil) throw new BusRemoteError(Subjects.bootstrap.start, alreadySetUp);
    const started = performance.now();
    const result = await this.bus
      .send(Subjects.bootstrap.start, { ...body, idempotencyKey, clientAddress: request.ip, bootstrapKey: bootstrapKeyBytes(request)?.toString('base64') }, { timeoutMs: gatewaySagaWaitMs(this.config), correlationId: request.id })
      .catch((error: unknown) => {
        if (error instanceof BusRemoteError && error.code === alreadySetUp.code) this.rememberInitialized();
        throw error;
      });
    this.rememberInitialized();
    void reply.header('Server-Timing', serverTiming(result.timings, performance.now() - started));
    return result.response;
  }

  private rememberInitialized(): void {
    this.initializedUntil = Date.now() + INITIALIZED_MEMORY_MS;
  }
}
