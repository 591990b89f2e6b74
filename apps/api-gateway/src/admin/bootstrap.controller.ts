import { performance } from 'node:perf_hooks';
import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { BootstrapRequest, BootstrapRequestSchema, BootstrapResponse, Subjects } from '@app/contracts';
import { BusClient, gatewaySagaWaitMs } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { serverTiming } from '../http/server-timing';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { BOOTSTRAP_KEY_HEADER, BootstrapKeyGuard } from './bootstrap-key.guard';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf } from './idempotency-key';
import {
  bootstrapKeyHeaderDoc,
  bootstrapRequestDoc,
  bootstrapResponseDoc,
  errorEnvelopeDoc,
  idempotencyKeyHeaderDoc,
  validationEnvelopeDoc,
} from './openapi.schemas';

@ApiTags('Admin')
@Controller('api/v1/admin')
export class BootstrapController {
  constructor(
    private readonly bus: BusClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('bootstrap')
  @HttpCode(200)
  @UseGuards(BootstrapKeyGuard)
  @ApiOperation({
    summary: 'Bootstrap the instance',
    description:
      'Creates the admin user, the organization and an instance-admin machine identity with Token Auth, ' +
      'and returns its token. All or nothing; exactly one call ever succeeds. No authentication, ' +
      'unless the server sets BOOTSTRAP_KEY.',
  })
  @ApiHeader({ name: BOOTSTRAP_KEY_HEADER, required: false, ...bootstrapKeyHeaderDoc })
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false, ...idempotencyKeyHeaderDoc })
  @ApiBody({ schema: bootstrapRequestDoc })
  @ApiOkResponse({ description: 'The instance was bootstrapped', schema: bootstrapResponseDoc })
  @ApiResponse({ status: 400, description: 'Instance has already been set up, or the body is not strict JSON', schema: errorEnvelopeDoc })
  @ApiResponse({ status: 401, description: 'BOOTSTRAP_KEY is set and X-Bootstrap-Key is missing or wrong', schema: errorEnvelopeDoc })
  @ApiResponse({ status: 409, description: 'Another bootstrap is in progress', schema: errorEnvelopeDoc })
  @ApiResponse({ status: 422, description: 'Invalid body or Idempotency-Key', schema: validationEnvelopeDoc })
  @ApiResponse({ status: 503, description: 'A step could not run; nothing was kept', schema: errorEnvelopeDoc })
  async bootstrap(
    @Body(new ZodBodyPipe(BootstrapRequestSchema)) body: BootstrapRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BootstrapResponse> {
    const idempotencyKey = idempotencyKeyOf(request.headers);
    const started = performance.now();
    const result = await this.bus.send(Subjects.bootstrap.start, { ...body, idempotencyKey }, {
      timeoutMs: gatewaySagaWaitMs(this.config),
      correlationId: request.id,
    });
    void reply.header('Server-Timing', serverTiming(result.timings, performance.now() - started));
    return result.response;
  }
}
