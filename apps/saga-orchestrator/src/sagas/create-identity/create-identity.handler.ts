import { Injectable, Logger } from '@nestjs/common';
import { BusClient } from '@app/common';
import { SagaHandler } from '../../saga-engine/saga-handler';
import { tellParticipantsFinished } from '../../saga-engine/saga-participants';
import { SagaEntity } from '../../saga-engine/saga.entity';
import { CreateIdentityData, createIdentitySaga, CreateIdentityTransient } from './create-identity.saga';

/**
 * The identity-creation saga as the sweeper sees it. It has no commit point of its own: a run
 * that died before answering its caller is rolled back, since the caller was told it failed.
 * It publishes no public event; once it completed, its participants are told so (they refuse
 * its steps and compensations from then on), retried by the outbox until they answer.
 */
@Injectable()
export class CreateIdentitySagaHandler implements SagaHandler<CreateIdentityData, CreateIdentityTransient> {
  private readonly logger = new Logger(CreateIdentitySagaHandler.name);
  readonly definition = createIdentitySaga;

  constructor(private readonly bus: BusClient) {}

  async isCommitted(): Promise<boolean> {
    return false;
  }

  async finish(saga: SagaEntity): Promise<boolean> {
    if (saga.state !== 'COMPLETED') return true;
    try {
      await tellParticipantsFinished(this.bus, this.definition, saga);
      return true;
    } catch (error) {
      this.logger.warn({ msg: 'Could not tell the participants the saga finished; the sweeper will retry', sagaId: saga.id, err: error });
      return false;
    }
  }
}
