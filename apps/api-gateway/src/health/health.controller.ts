import { Controller, Get, Inject, Req } from '@nestjs/common';
import { PingReply, ServiceNames, Subjects } from '@app/contracts';
import { BusClient, NATS_LINK, NatsLink, natsAnswers } from '@app/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { healthDoc, healthDownDoc, statusDoc } from '../admin/openapi.schemas';
import { HttpError } from '../http/http-error';

const PROBE_TIMEOUT_MS = 1_000;

type State = 'up' | 'down' | 'degraded';
type Attention = NonNullable<PingReply['attention']>;

const PROBES = [
  [ServiceNames.orchestrator, Subjects.bootstrap.ping],
  [ServiceNames.user, Subjects.user.ping],
  [ServiceNames.organization, Subjects.organization.ping],
  [ServiceNames.identity, Subjects.identity.ping],
] as const;

@ApiTags('Health')
@Controller('api')
export class HealthController {
  constructor(
    private readonly bus: BusClient,
    @Inject(NATS_LINK) private readonly nats: NatsLink,
  ) {}

  /** WIRE: Infisical's Helm bootstrap job polls this until the gateway is up. */
  @Get('status')
  @ApiOperation({ summary: 'Liveness: the gateway is up' })
  @ApiOkResponse({ schema: statusDoc })
  status(): { date: string; message: string } {
    return { date: new Date().toISOString(), message: 'Ok' };
  }

  @Get('health')
  @ApiOperation({ summary: 'Readiness: NATS and every service (with its database) answer' })
  @ApiOkResponse({ schema: healthDoc })
  @ApiResponse({ status: 503, description: 'Something is down; the body names it', schema: healthDownDoc })
  async health(
    @Req() request: FastifyRequest,
  ): Promise<{ message: string; dependencies: Record<string, State>; attention?: Attention }> {
    const dependencies: Record<string, State> = { nats: (await natsAnswers(this.nats.connection, PROBE_TIMEOUT_MS)) ? 'up' : 'down' };
    const attention: Attention = [];
    const results = await Promise.all(
      PROBES.map(async ([service, subject]) => {
        try {
          const reply = await this.bus.send(subject, {}, { timeoutMs: PROBE_TIMEOUT_MS, correlationId: request.id });
          attention.push(...(reply.attention ?? []));
          return [service, !reply.ok ? 'down' : (reply.attention ?? []).length > 0 ? 'degraded' : 'up'] as const;
        } catch {
          return [service, 'down'] as const;
        }
      }),
    );
    for (const [service, state] of results) dependencies[service] = state;
    const down = Object.entries(dependencies).filter(([, state]) => state === 'down').map(([name]) => name);
    if (down.length > 0) {
      throw new HttpError(503, 'ServiceUnavailable', `Unavailable: ${down.join(', ')}`, {
        dependencies,
        ...(attention.length > 0 ? { attention } : {}),
      });
    }
    // A rollback that keeps failing degrades the instance (it stays claimed) but every service
    // answers: still 200, so a readiness probe does not take a working gateway out of service.
    if (attention.length > 0) return { message: 'Degraded', dependencies, attention };
    return { message: 'Ok', dependencies };
  }
}
