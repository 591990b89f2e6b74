import { Injectable } from '@nestjs/common';
import { InstanceStateReply } from '@app/contracts';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';
import { newSagaRecord } from '../saga-engine/saga.types';
import { TypeormSagaStore } from '../saga-engine/typeorm-saga.store';
import { InstanceStateEntity } from './instance-state.entity';

export type ClaimResult = 'claimed' | 'initialized' | 'in-progress';

export interface NewSaga {
  id: string;
  type: string;
  correlationId: string;
  deadlineAt: Date;
  data: object;
}

/** Lost its claim (a deadline sweep compensated the saga first): the step did nothing. */
export class ClaimLostError extends Error {
  readonly mayHaveRun = false;
  constructor() {
    super('the instance claim was lost before the bootstrap could finish');
  }
}

@Injectable()
export class InstanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sagas: TypeormSagaStore,
  ) {}

  /**
   * One winner: a conditional UPDATE of the single row. Concurrent claimers queue on its row
   * lock and re-check the condition after the winner commits, so exactly one sees UNINITIALIZED.
   * The saga row is written in the same transaction, so a claim never exists without its saga.
   */
  async claim(saga: NewSaga): Promise<ClaimResult> {
    return this.dataSource.transaction(async (m) => {
      const { affected } = await execute(
        m,
        `UPDATE instance_state SET status = 'BOOTSTRAPPING', saga_id = $1, updated_at = now()
         WHERE id = 1 AND status = 'UNINITIALIZED'`,
        [saga.id],
      );
      if (affected === 0) {
        const { rows } = await execute<{ status: string }>(m, 'SELECT status FROM instance_state WHERE id = 1');
        return rows[0].status === 'INITIALIZED' ? 'initialized' : 'in-progress';
      }
      await this.sagas.insert(newSagaRecord(saga.id, saga.type, saga.data, saga.deadlineAt), saga.correlationId, m);
      return 'claimed';
    });
  }

  /**
   * The commit point of a bootstrap. Holds the saga row lock while flipping the instance, so a
   * deadline sweep cannot compensate a saga that is initializing the instance at that moment.
   */
  async markInitialized(sagaId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      // Never after the deadline: by then the caller may have been told the bootstrap failed.
      const saga = await execute(m, `SELECT 1 FROM sagas WHERE id = $1 AND state = 'RUNNING' AND deadline_at > now() FOR UPDATE`, [
        sagaId,
      ]);
      const instance = await execute(
        m,
        `UPDATE instance_state SET status = 'INITIALIZED', initialized_at = now(), updated_at = now()
         WHERE id = 1 AND status = 'BOOTSTRAPPING' AND saga_id = $1`,
        [sagaId],
      );
      if (saga.rows.length === 0 || instance.affected === 0) throw new ClaimLostError();
    });
  }

  /** Gives the claim back once a failed bootstrap is fully rolled back. */
  async release(sagaId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE instance_state SET status = 'UNINITIALIZED', saga_id = NULL, updated_at = now()
       WHERE id = 1 AND status = 'BOOTSTRAPPING' AND saga_id = $1`,
      [sagaId],
    );
  }

  current(): Promise<InstanceStateEntity> {
    return this.dataSource.getRepository(InstanceStateEntity).findOneByOrFail({ id: 1 });
  }

  async getState(): Promise<InstanceStateReply> {
    const state = await this.current();
    return { initialized: state.status === 'INITIALIZED', bootstrapInProgress: state.status === 'BOOTSTRAPPING' };
  }
}
