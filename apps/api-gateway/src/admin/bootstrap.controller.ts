import { performance } from 'node:perf_hooks';
import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { BootstrapRequest, BootstrapRequestSchema, BootstrapResponse, Subjects } from '@app/contracts';
import { BusClient } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpErrorFromBus } from '../http/bus-error.mapping';
import { serverTiming } from '../http/server-timing';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { bootstrapRequestDoc, bootstrapResponseDoc, errorEnvelopeDoc, validationEnvelopeDoc } from './openapi.schemas';

/** The orchestrator answers within the saga deadline plus its compensation; wait that long and a bit. */
const ORCHESTRATOR_MARGIN_MS = 5_000;

@ApiTags('Admin')
@Controller('api/v1/admin')
export class BootstrapController {
  constructor(
    private readonly bus: BusClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('bootstrap')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bootstrap the instance',
    description:
      'Creates the admin user, the organization and an instance-admin machine identity with Token Auth, ' +
      'and returns its token. All or nothing; exactly one call ever succeeds. No authentication.',
  })
  @ApiBody({ schema: bootstrapRequestDoc })
  @ApiOkResponse({ description: 'The instance was bootstrapped', schema: bootstrapResponseDoc })
  @ApiResponse({ status: 400, description: 'Instance has already been set up', schema: errorEnvelopeDoc })
  @ApiResponse({ status: 409, description: 'Another bootstrap is in progress', schema: errorEnvelopeDoc })
  @ApiResponse({ status: 422, description: 'Invalid body', schema: validationEnvelopeDoc })
  @ApiResponse({ status: 503, description: 'A step could not run; nothing was kept', schema: errorEnvelopeDoc })
  async bootstrap(
    @Body(new ZodBodyPipe(BootstrapRequestSchema)) body: BootstrapRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BootstrapResponse> {
    const started = performance.now();
    try {
      const result = await this.bus.send(Subjects.bootstrap.start, body, {
        timeoutMs: this.config.bootstrapTimeoutMs + ORCHESTRATOR_MARGIN_MS,
        correlationId: request.id,
      });
      void reply.header('Server-Timing', serverTiming(result.timings, performance.now() - started));
      return result.response;
    } catch (error) {
      throw httpErrorFromBus(error, 'saga-orchestrator') ?? error;
    }
  }
}
