import { Controller, Get, Req } from '@nestjs/common';
import { Principal, Subjects } from '@app/contracts';
import { BusClient } from '@app/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { OptionalAuth, OptionalCaller } from '../auth/auth.decorators';
import { ApiRoute } from '../http/api-route.decorator';

const ConfigResponseSchema = z.object({
  config: z.object({
    initialized: z.boolean(),
    allowSignUp: z.boolean(),
    adminIdentityIds: z.array(z.uuid()).optional().describe('Only shown to an instance admin'),
  }),
});
type ConfigResponse = z.infer<typeof ConfigResponseSchema>;

const STATE_TIMEOUT_MS = 2_000;

@Controller('api/v1/admin')
export class AdminConfigController {
  constructor(private readonly bus: BusClient) {}

  @Get('config')
  @OptionalAuth()
  @ApiRoute({
    tag: 'Admin',
    summary: 'Server configuration',
    description: 'Public: whether the instance is initialized. An instance admin also sees the instance-admin identities (beyond Infisical, which shows them to anyone).',
    response: ConfigResponseSchema,
  })
  async config(@Req() request: FastifyRequest, @OptionalCaller() caller?: Principal): Promise<ConfigResponse> {
    const options = { timeoutMs: STATE_TIMEOUT_MS, correlationId: request.id };
    const [state, admins] = await Promise.all([
      this.bus.send(Subjects.bootstrap.getState, {}, options),
      caller?.isInstanceAdmin ? this.bus.send(Subjects.identity.listAdminIds, {}, options) : undefined,
    ]);
    // There is no self-service sign-up: users come from bootstrap only.
    const config: ConfigResponse['config'] = { initialized: state.initialized, allowSignUp: false };
    if (admins !== undefined) config.adminIdentityIds = admins.ids;
    return { config };
  }
}
