import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { SagaEntity } from './saga.entity';
import { SagaPatch, SagaRecord, SagaStore } from './saga.types';

/** The saga table as the engine's store: every write is conditional on the version it read. */
@Injectable()
export class TypeormSagaStore implements SagaStore {
  constructor(private readonly dataSource: DataSource) {}

  async update<D>(id: string, expectedVersion: number, patch: SagaPatch<D>, manager?: EntityManager): Promise<number | null> {
    const result = await (manager ?? this.dataSource.manager)
      .createQueryBuilder()
      .update(SagaEntity)
      .set({ ...(patch as Partial<SagaEntity>), version: () => 'version + 1' })
      .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
      .returning(['version'])
      .execute();
    return result.affected === 1 ? (result.raw as Array<{ version: number }>)[0].version : null;
  }

  /** Records a new saga (RUNNING, version 1). */
  async insert<D>(record: SagaRecord<D>, correlationId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).insert(SagaEntity, {
      id: record.id,
      type: record.type,
      state: record.state,
      correlationId,
      deadlineAt: record.deadlineAt,
      data: record.data as object,
    });
  }

  async markEventPublished(id: string): Promise<void> {
    await this.dataSource.manager.update(SagaEntity, { id }, { eventPublishedAt: () => 'now()' });
  }

  /**
   * Sagas whose rollback failed at least once (given up for now, or being retried by a sweep):
   * they need an operator's eye, and hold their claims.
   */
  needingAttention(): Promise<SagaEntity[]> {
    return this.dataSource.manager.find(SagaEntity, {
      where: [{ state: 'COMPENSATION_FAILED' }, { state: 'COMPENSATING', attempts: MoreThan(0) }],
      order: { createdAt: 'ASC' },
      take: 20,
    });
  }
}

export function toSagaRecord<D>(saga: SagaEntity): SagaRecord<D> {
  return {
    id: saga.id,
    type: saga.type,
    state: saga.state,
    currentStep: saga.currentStep,
    runningSteps: saga.runningSteps,
    completedSteps: saga.completedSteps,
    toCompensate: saga.toCompensate,
    compensatedSteps: saga.compensatedSteps,
    failedStep: saga.failedStep,
    error: saga.error,
    data: saga.data as D,
    version: saga.version,
    deadlineAt: saga.deadlineAt,
  };
}
