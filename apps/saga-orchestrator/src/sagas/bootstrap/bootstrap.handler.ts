import { Injectable, Logger } from '@nestjs/common';
import { BusClient } from '@app/common';
import { execute } from '@app/database';
import { EntityManager } from 'typeorm';
import { BootstrapEventsPublisher } from '../../events/bootstrap-events.publisher';
import { InstanceService } from '../../instance/instance.service';
import { publicReason } from '../../saga-engine/saga-errors';
import { SagaHandler } from '../../saga-engine/saga-handler';
import { tellParticipantsFinished } from '../../saga-engine/saga-participants';
import { SagaEntity } from '../../saga-engine/saga.entity';
import { SagaDefinition } from '../../saga-engine/saga.types';
import { BootstrapData, bootstrapSaga, BootstrapTransient } from './bootstrap.saga';

/** The bootstrap saga as the engine and the sweeper see it: its steps, its commit point, its ending. */
@Injectable()
export class BootstrapSagaHandler implements SagaHandler<BootstrapData, BootstrapTransient> {
  private readonly logger = new Logger(BootstrapSagaHandler.name);
  readonly definition: SagaDefinition<BootstrapData, BootstrapTransient>;

  constructor(
    private readonly instance: InstanceService,
    private readonly events: BootstrapEventsPublisher,
    private readonly bus: BusClient,
  ) {
    this.definition = bootstrapSaga(instance);
  }

  /** The commit point is the instance flipping to INITIALIZED for this saga. */
  async isCommitted(manager: EntityManager, sagaId: string): Promise<boolean> {
    const { rows } = await execute(manager, `SELECT 1 FROM instance_state WHERE id = 1 AND status = 'INITIALIZED' AND saga_id = $1`, [
      sagaId,
    ]);
    return rows.length === 1;
  }

  /**
   * Completed: tell every participant the saga finished, then publish bootstrap.evt.completed.
   * Rolled back: give the instance claim back, then publish bootstrap.evt.failed. Whatever
   * cannot be done now (either command) is retried by the sweeper's outbox, which calls this
   * again until it answers true: every part is idempotent.
   */
  async finish(saga: SagaEntity): Promise<boolean> {
    const data = saga.data as BootstrapData;
    if (saga.state === 'COMPENSATED') await this.instance.release(saga.id);
    try {
      if (saga.state === 'COMPLETED') {
        // First: from now on a replay of a step (the completed event names the saga) creates
        // and signs nothing, and a replayed compensation erases nothing. Never the event without this.
        await tellParticipantsFinished(this.bus, this.definition, saga);
        await this.events.completed(saga.id, saga.correlationId, {
          user: data.user!,
          organization: data.organization!,
          identity: data.identity!,
        });
      } else if (saga.state === 'COMPENSATED') {
        const failedStep = saga.failedStep ?? 'unknown';
        await this.events.failed(saga.id, saga.correlationId, failedStep, publicReason(failedStep, saga.error));
      }
      return true;
    } catch (error) {
      this.logger.error({
        msg: 'Could not finish the bootstrap saga (telling the participants, or the final event); the sweeper will retry',
        sagaId: saga.id,
        err: error,
      });
      return false;
    }
  }
}
