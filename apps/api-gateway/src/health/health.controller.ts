import { Controller, Get, Inject } from '@nestjs/common';
import { PingReply, ServiceNames, Subjects } from '@app/contracts';
import { BusClient, NATS_LINK, NatsLink, natsAnswers } from '@app/common';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { ApiRoute } from '../http/api-route.decorator';
import { HttpError } from '../http/http-error';
import { SharedProbe } from './shared-probe';

const PROBE_TIMEOUT_MS = 1_000;
/**
 * /api/health answers from one round of pings for about a second: it is public, and without
 * this every call would fan out a ping to NATS and to every service (and each service's
 * database). Concurrent calls share the round in flight. Readiness probes poll every few
 * seconds, so a second-old answer costs them nothing.
 */
export const HEALTH_CACHE_MS = 1_000;
/**
 * A round that found something down is kept much shorter: a service that just came up (all five
 * start at once) must not wait out a second-old "down" before the gateway reports ready. Rounds
 * stay shared, and a ping to a service that is down fails at once (no responders).
 */
export const HEALTH_DOWN_CACHE_MS = 50;

type State = 'up' | 'down' | 'degraded';
type Attention = NonNullable<PingReply['attention']>;
interface Probed {
  dependencies: Record<string, State>;
  attention: Attention;
}

const PROBES = [
  [ServiceNames.orchestrator, Subjects.bootstrap.ping],
  [ServiceNames.user, Subjects.user.ping],
  [ServiceNames.organization, Subjects.organization.ping],
  [ServiceNames.identity, Subjects.identity.ping],
] as const;

const Dependencies = z.record(z.string(), z.enum(['up', 'down', 'degraded']));
const Attention = z.array(z.object({ sagaId: z.uuid(), state: z.string(), failedStep: z.string().nullable() }));
const StatusSchema = z.object({ date: z.iso.datetime(), message: z.literal('Ok') });
const HealthSchema = z.object({ message: z.enum(['Ok', 'Degraded']), dependencies: Dependencies, attention: Attention.optional() });
const HealthDownSchema = z.object({
  reqId: z.string(),
  statusCode: z.literal(503),
  message: z.string(),
  error: z.literal('ServiceUnavailable'),
  dependencies: Dependencies,
  attention: Attention.optional(),
});

@Public()
@Controller('api')
export class HealthController {
  private readonly probe = new SharedProbe(
    () => this.pingAll(),
    ({ dependencies }) => (Object.values(dependencies).includes('down') ? HEALTH_DOWN_CACHE_MS : HEALTH_CACHE_MS),
  );

  constructor(
    private readonly bus: BusClient,
    @Inject(NATS_LINK) private readonly nats: NatsLink,
  ) {}

  /** WIRE: Infisical's Helm bootstrap job polls this until the gateway is up. */
  @Get('status')
  @ApiRoute({ tag: 'Health', summary: 'Liveness: the gateway is up', response: StatusSchema, errors: {} })
  status(): { date: string; message: string } {
    return { date: new Date().toISOString(), message: 'Ok' };
  }

  @Get('health')
  @ApiRoute({
    tag: 'Health',
    summary: 'Readiness: NATS and every service (with its database) answer',
    description:
      'A rollback that keeps failing shows as Degraded, still 200, with the sagas that need attention. ' +
      'Answered from one round of checks shared by concurrent calls and reused for about a second.',
    response: HealthSchema,
    errors: { 503: { description: 'Something is down; the body names it', schema: HealthDownSchema } },
  })
  async health(): Promise<{ message: string; dependencies: Record<string, State>; attention?: Attention }> {
    const { dependencies, attention } = await this.probe.get();
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

  /**
   * One round: NATS and every service's ping, in parallel. The pings carry the correlation id
   * of the request that started the round.
   */
  private async pingAll(): Promise<Probed> {
    const dependencies: Record<string, State> = { nats: (await natsAnswers(this.nats.connection, PROBE_TIMEOUT_MS)) ? 'up' : 'down' };
    const attention: Attention = [];
    const results = await Promise.all(
      PROBES.map(async ([service, subject]) => {
        try {
          const reply = await this.bus.send(subject, {}, { timeoutMs: PROBE_TIMEOUT_MS });
          attention.push(...(reply.attention ?? []));
          return [service, !reply.ok ? 'down' : (reply.attention ?? []).length > 0 ? 'degraded' : 'up'] as const;
        } catch {
          return [service, 'down'] as const;
        }
      }),
    );
    for (const [service, state] of results) dependencies[service] = state;
    return { dependencies, attention };
  }
}
