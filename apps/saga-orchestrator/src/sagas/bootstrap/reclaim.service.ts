import { timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BOOTSTRAP_SUCCESS_MESSAGE, BootstrapStartReply, BootstrapStartSchema, StepTiming, Subjects } from '@app/contracts';
import { BusClient, SAGA_STEP_TIMEOUT_MS } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { InstanceService } from '../../instance/instance.service';
import { SagaEntity } from '../../saga-engine/saga.entity';
import { stepFailed } from '../../saga-engine/saga-errors';
import { hashIdempotencyKey } from './bootstrap.errors';
import { BootstrapData } from './bootstrap.saga';

/**
 * "Never lose the root credential" (beyond Infisical): within BOOTSTRAP_RECLAIM_WINDOW of a
 * successful bootstrap, the same request — same Idempotency-Key, email and password — gets the
 * same user, organization and identity again with a freshly minted token, and every token
 * handed out before for that bootstrap is revoked. No token is stored for this: only the key's
 * hash, and the password is checked by user-service against its hash.
 */
@Injectable()
export class ReclaimService {
  private readonly logger = new Logger(ReclaimService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly instance: InstanceService,
    private readonly bus: BusClient,
  ) {}

  /** The reply for a valid re-claim, or null: then the caller just hears "already set up". */
  async tryReclaim(command: z.infer<typeof BootstrapStartSchema>, correlationId: string): Promise<BootstrapStartReply | null> {
    const state = await this.instance.current();
    if (state.status !== 'INITIALIZED' || state.sagaId === null || state.initializedAt === null) return null;
    if (Date.now() - state.initializedAt.getTime() > this.config.bootstrapReclaimWindowMs) return null;
    const saga = await this.dataSource.getRepository(SagaEntity).findOneBy({ id: state.sagaId });
    const data = saga?.data as BootstrapData | undefined;
    if (data?.idempotencyKeyHash === undefined || data.user === undefined || data.organization === undefined || data.identity === undefined) {
      return null;
    }
    const presented = Buffer.from(hashIdempotencyKey(command.idempotencyKey ?? ''), 'hex');
    if (!timingSafeEqual(presented, Buffer.from(data.idempotencyKeyHash, 'hex')) || command.email !== data.email) return null;

    const options = { timeoutMs: SAGA_STEP_TIMEOUT_MS, correlationId, causationId: state.sagaId };
    const timings: StepTiming[] = [];
    const timed = async <R>(name: string, fn: () => Promise<R>): Promise<R> => {
      const started = performance.now();
      try {
        return await fn();
      } catch (error) {
        throw stepFailed(name, `Re-claiming the root credential failed at step '${name}': ${(error as Error).message}`);
      } finally {
        timings.push({ name, durationMs: performance.now() - started });
      }
    };
    const { valid } = await timed('verify', () =>
      this.bus.send(Subjects.user.verifyPassword, { userId: data.user!.id, password: command.password }, options),
    );
    if (!valid) return null;
    const { accessToken } = await timed('reissue', () =>
      this.bus.send(Subjects.identity.reissueInstanceAdminToken, { identityId: data.identity!.id }, options),
    );
    this.logger.warn({ msg: 'Root credential re-claimed; earlier bootstrap tokens revoked', sagaId: state.sagaId });
    return {
      response: {
        message: BOOTSTRAP_SUCCESS_MESSAGE,
        user: data.user,
        organization: data.organization,
        identity: { id: data.identity.id, name: data.identity.name, credentials: { token: accessToken.token } },
      },
      timings,
    };
  }
}
