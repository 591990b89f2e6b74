import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { BOOTSTRAP_SUCCESS_MESSAGE, BootstrapStartReply, BootstrapStartSchema, ErrorCodes, StepTiming, Subjects } from '@app/contracts';
import { BusClient, BusRemoteError, DomainError, SAGA_STEP_TIMEOUT_MS, SendOptions } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { InstanceService } from '../../instance/instance.service';
import { SagaEntity } from '../../saga-engine/saga.entity';
import { failureReason, stepFailed } from '../../saga-engine/saga-errors';
import { BootstrapData } from './bootstrap.saga';
import { isReclaimableKey, ReclaimKeyDigest } from './reclaim-key';

type Reclaimable = BootstrapData & Required<Pick<BootstrapData, 'user' | 'organization' | 'identity' | 'idempotencyKeyDigest'>>;

/**
 * "Never lose the root credential" (beyond Infisical): within BOOTSTRAP_RECLAIM_WINDOW of a
 * successful bootstrap, the same request — same Idempotency-Key, email and password — gets the
 * same user, organization and identity again with a freshly minted token, and every token
 * handed out before for that bootstrap is revoked. No token is stored for this: only an HMAC
 * of the key, and the password is checked by user-service against its hash.
 *
 * It must not become a password oracle (and no other reply than that one is a 200):
 * - only keys of 128 bits or more can re-claim (reclaim-key.ts), so the key is the secret that
 *   guards it, and it is kept as HMAC-SHA256 under BOOTSTRAP_RECLAIM_SECRET; without that
 *   secret re-claim is off;
 * - the password check goes through user-service's login lockout for the admin's email;
 * - key or email wrong, window passed, password wrong, account locked: the same plain 400,
 *   after the same work (one verify-password round trip with one argon2 verification).
 */
@Injectable()
export class ReclaimService implements OnModuleInit {
  private readonly logger = new Logger(ReclaimService.name);
  private readonly digest?: ReclaimKeyDigest;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly instance: InstanceService,
    private readonly bus: BusClient,
  ) {
    if (config.bootstrapReclaimSecret !== undefined) this.digest = new ReclaimKeyDigest(config.bootstrapReclaimSecret);
  }

  onModuleInit(): void {
    if (this.digest === undefined) {
      this.logger.warn({
        msg: 'BOOTSTRAP_RECLAIM_SECRET is not set: re-claiming the root credential is off (an Idempotency-Key is accepted, nothing is kept of it)',
      });
    }
  }

  /** What the saga keeps of the caller's Idempotency-Key: its digest when it can re-claim, else nothing. */
  digestOf(key: string | undefined): string | undefined {
    return this.digest !== undefined && isReclaimableKey(key) ? this.digest.of(key) : undefined;
  }

  /** The reply for a valid re-claim, or null: then the caller just hears "already set up". */
  async tryReclaim(command: z.input<typeof BootstrapStartSchema>, correlationId: string): Promise<BootstrapStartReply | null> {
    const key = command.idempotencyKey;
    if (this.digest === undefined || !isReclaimableKey(key)) return null;
    const { sagaId, data } = await this.matching(this.digest, key, command.email);

    const options = { timeoutMs: SAGA_STEP_TIMEOUT_MS, correlationId, causationId: sagaId ?? correlationId };
    const timings: StepTiming[] = [];
    const timed = async <R>(name: string, fn: () => Promise<R>): Promise<R> => {
      const started = performance.now();
      try {
        return await fn();
      } catch (error) {
        // Too many password checks at once: the caller hears 429 and retries, as for a login.
        if (error instanceof BusRemoteError && error.code === ErrorCodes.serviceBusy) throw new DomainError(error.code, error.message, error.body.details);
        this.logger.warn({ msg: 'Re-claiming the root credential failed', step: name, err: error });
        throw stepFailed(name, `Re-claiming the root credential failed: ${failureReason(name, error)}.`);
      } finally {
        timings.push({ name, durationMs: performance.now() - started });
      }
    };
    // The same work whether or not key and email matched, so the 400 takes as long either way:
    // without a match the password is checked for a user id that exists nowhere, which
    // user-service verifies against a dummy hash and counts against nobody (a caller without
    // the key must not be able to lock the admin out).
    const valid = await timed('verify', () => this.passwordMatches(data?.user.id ?? randomUUID(), command.password, command.clientAddress, options));
    if (data === null || !valid) return null;
    const { accessToken } = await timed('reissue', () =>
      this.bus.send(Subjects.identity.reissueInstanceAdminToken, { identityId: data.identity.id }, options),
    );
    this.logger.warn({ msg: 'Root credential re-claimed; earlier bootstrap tokens revoked', sagaId });
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

  /**
   * The saga the request re-claims: within the window, same key (HMAC compared in constant time)
   * and same email; else `data` is null. Key and email are both compared, whatever the other.
   */
  private async matching(digest: ReclaimKeyDigest, key: string, email: string): Promise<{ sagaId: string | null; data: Reclaimable | null }> {
    const state = await this.instance.current();
    if (state.status !== 'INITIALIZED' || state.sagaId === null || state.initializedAt === null) return { sagaId: null, data: null };
    const saga = await this.dataSource.getRepository(SagaEntity).findOneBy({ id: state.sagaId });
    const data = saga?.data as BootstrapData | undefined;
    const inWindow = Date.now() - state.initializedAt.getTime() <= this.config.bootstrapReclaimWindowMs;
    if (!inWindow || data?.idempotencyKeyDigest === undefined || !data.user || !data.organization || !data.identity) {
      return { sagaId: state.sagaId, data: null };
    }
    const keyMatches = digest.matches(key, data.idempotencyKeyDigest);
    const emailMatches = email === data.email;
    return { sagaId: state.sagaId, data: keyMatches && emailMatches ? (data as Reclaimable) : null };
  }

  /**
   * user-service's verdict. A locked-out account (LOGIN.LOCKED) is a plain no: the caller hears
   * the same 400 as for a wrong password — the contract allows no other answer to a repeat, and
   * a 429 would tell a stranger that key and email were right.
   */
  private async passwordMatches(userId: string, password: string, clientAddress: string | undefined, options: SendOptions): Promise<boolean> {
    try {
      return (await this.bus.send(Subjects.user.verifyPassword, { userId, password, clientAddress }, options)).valid;
    } catch (error) {
      if (error instanceof BusRemoteError && error.code === ErrorCodes.loginLocked) {
        this.logger.warn({ msg: 'Re-claim refused: the admin account is locked out after failed password checks' });
        return false;
      }
      throw error;
    }
  }
}
