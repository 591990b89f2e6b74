import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { BOOTSTRAP_SUCCESS_MESSAGE, BootstrapStartReply, BootstrapStartSchema, ErrorCodes, ErrorMessages, InstanceStateReply } from '@app/contracts';
import { DomainError } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { z } from 'zod';
import { BootstrapEventsPublisher } from '../../events/bootstrap-events.publisher';
import { ClaimResult, InstanceService, NewSaga } from '../../instance/instance.service';
import { orDependencyUnavailable } from '../../saga-engine/saga-errors';
import { SagaRegistry } from '../../saga-engine/saga-handler';
import { SagaRunner } from '../../saga-engine/saga-runner';
import { BootstrapSagaHandler } from './bootstrap.handler';
import { BootstrapMark, measureBootstrap } from './bootstrap.metrics';
import { BootstrapData } from './bootstrap.saga';
import { ReclaimService } from './reclaim.service';

/** As the pipe hands it over (with the default client address), or as a test builds it (without). */
type StartCommand = z.input<typeof BootstrapStartSchema>;

@Injectable()
export class BootstrapService implements OnModuleInit {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly instance: InstanceService,
    private readonly runner: SagaRunner,
    private readonly handler: BootstrapSagaHandler,
    private readonly registry: SagaRegistry,
    private readonly events: BootstrapEventsPublisher,
    private readonly reclaim: ReclaimService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.handler);
  }

  async getState(): Promise<InstanceStateReply> {
    return orDependencyUnavailable(() => this.instance.getState());
  }

  start(command: StartCommand, correlationId: string): Promise<BootstrapStartReply> {
    return measureBootstrap((mark) => this.claimAndRun(command, correlationId, mark));
  }

  private async claimAndRun(command: StartCommand, correlationId: string, mark: BootstrapMark): Promise<BootstrapStartReply> {
    const sagaId = randomUUID();
    const deadlineAt = new Date(Date.now() + this.config.bootstrapTimeoutMs);
    const idempotencyKeyDigest = this.reclaim.digestOf(command.idempotencyKey);
    const data: BootstrapData = {
      email: command.email,
      organizationName: command.organization,
      userId: randomUUID(),
      ...(idempotencyKeyDigest === undefined ? {} : { idempotencyKeyDigest }),
    };
    // The claim records the saga row in the same transaction: one winner, never a claim without its saga.
    const claim = await this.claimOrKnown({ id: sagaId, type: this.handler.definition.type, correlationId, deadlineAt, data }, command);
    if (claim === 'claimed') return this.runClaimed(command, { sagaId, correlationId, deadlineAt, data });
    if (claim === 'initialized') {
      const reclaimed = command.idempotencyKey === undefined ? null : await this.reclaim.tryReclaim(command, correlationId);
      if (reclaimed !== null) {
        mark.reclaimed = true;
        return reclaimed;
      }
      throw new DomainError(ErrorCodes.instanceAlreadyInitialized, ErrorMessages.instanceAlreadyInitialized);
    }
    throw new DomainError(ErrorCodes.bootstrapInProgress, 'Instance bootstrap is already in progress');
  }

  /*
   * What this process already knows answers a storm of concurrent bootstraps (every replica of a
   * bootstrap job started at once) without a transaction each, and with what a claim would have
   * answered: while a claim of this process is in flight, an unkeyed attempt waits for its outcome
   * (claimed or in progress: in progress; initialized: initialized; failed: it claims itself);
   * while a saga of this process holds the claim, it is in progress. A request with an
   * Idempotency-Key always claims: its answer may be a re-claim. Other replicas know nothing of
   * this process's claims and ask the database.
   */
  private pendingClaim?: Promise<ClaimResult>;
  private sagasHoldingClaim = 0;

  private async claimOrKnown(saga: NewSaga, command: StartCommand): Promise<ClaimResult> {
    if (command.idempotencyKey === undefined) {
      if (this.sagasHoldingClaim > 0) return 'in-progress';
      if (this.pendingClaim !== undefined) {
        const outcome = await this.pendingClaim.catch(() => undefined);
        if (outcome === 'initialized') return 'initialized';
        if (outcome !== undefined) return 'in-progress';
      }
    }
    const claim = orDependencyUnavailable(() => this.instance.claim(saga));
    this.pendingClaim = claim;
    try {
      const outcome = await claim;
      // Before anyone waiting on the claim runs: from now on this process's saga holds it.
      if (outcome === 'claimed') this.sagasHoldingClaim += 1;
      return outcome;
    } finally {
      if (this.pendingClaim === claim) this.pendingClaim = undefined;
    }
  }

  /** The saga of a claim this process won; the claim is held until it ends (see claimOrKnown). */
  private async runClaimed(
    command: StartCommand,
    { sagaId, correlationId, deadlineAt, data }: { sagaId: string; correlationId: string; deadlineAt: Date; data: BootstrapData },
  ): Promise<BootstrapStartReply> {
    try {
      this.logger.log({ msg: 'Bootstrap claimed the instance', sagaId });
      await this.events.started(sagaId, correlationId).catch((error: unknown) => {
        this.logger.error({ msg: 'Could not publish bootstrap.evt.started', sagaId, err: error });
      });
      const done = await this.runner.run(this.handler, { sagaId, correlationId, deadlineAt, data, transient: { password: command.password } });
      this.logger.log({ msg: 'Bootstrap completed', sagaId });
      const { user, organization, identity } = done.data;
      return {
        response: {
          message: BOOTSTRAP_SUCCESS_MESSAGE,
          user: user!,
          organization: organization!,
          identity: { id: identity!.id, name: identity!.name, credentials: { token: done.transient.token! } },
        },
        timings: done.timings,
      };
    } finally {
      this.sagasHoldingClaim -= 1;
    }
  }
}
