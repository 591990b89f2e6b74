import { Controller, Get, Req } from '@nestjs/common';
import { Subjects } from '@app/contracts';
import { BusClient } from '@app/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { adminConfigDoc } from './openapi.schemas';

const HEALTH_TIMEOUT_MS = 2_000;

@ApiTags('Admin')
@Controller('api/v1/admin')
export class AdminConfigController {
  constructor(private readonly bus: BusClient) {}

  @Get('config')
  @ApiOperation({ summary: 'Server configuration (public part)' })
  @ApiOkResponse({ schema: adminConfigDoc })
  async config(@Req() request: FastifyRequest): Promise<{ config: { initialized: boolean; allowSignUp: boolean } }> {
    const state = await this.bus.send(Subjects.bootstrap.getState, {}, { timeoutMs: HEALTH_TIMEOUT_MS, correlationId: request.id });
    // There is no self-service sign-up: users come from bootstrap only.
    return { config: { initialized: state.initialized, allowSignUp: false } };
  }
}
