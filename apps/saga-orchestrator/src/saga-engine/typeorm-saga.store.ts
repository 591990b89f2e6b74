import { Injectable } from '@nestjs/common';
import { execute } from '@app/database';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { SagaEntity } from './saga.entity';
import { SagaPatch, SagaRecord, SagaStore } from './saga.types';

/** The saga table as the engine's store: every write is conditional on the version it read. */
@Injectable()
export class TypeormSagaStore implements SagaStore {
  constructor(private readonly dataSource: DataSource) {}

  /*
   * Plain SQL for the two writes every saga makes at each step (the bootstrap's critical path):
   * TypeORM's query builder costs more CPU than the statement itself. Column names and which
   * columns are jsonb come from the entity's metadata, once.
   */
  private columns?: Map<string, { name: string; json: boolean }>;

  private column(property: string): { name: string; json: boolean } {
    this.columns ??= new Map(
      this.dataSource.getMetadata(SagaEntity).columns.map((c) => [c.propertyName, { name: c.databaseName, json: c.type === 'jsonb' }]),
    );
    const column = this.columns.get(property);
    if (column === undefined) throw new Error(`The saga table has no column for ${property}`);
    return column;
  }

  async update<D>(id: string, expectedVersion: number, patch: SagaPatch<D>, manager?: EntityManager): Promise<number | null> {
    const parameters: unknown[] = [id, expectedVersion];
    const sets = ['version = version + 1', 'updated_at = now()'];
    for (const [property, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const { name, json } = this.column(property);
      parameters.push(json ? JSON.stringify(value) : value);
      sets.push(`${name} = $${parameters.length}`);
    }
    const { rows } = await execute<{ version: number }>(
      manager ?? this.dataSource.manager,
      `UPDATE sagas SET ${sets.join(', ')} WHERE id = $1 AND version = $2 RETURNING version`,
      parameters,
    );
    return rows.length === 1 ? rows[0].version : null;
  }

  /** Records a new saga (RUNNING, version 1). */
  async insert<D>(record: SagaRecord<D>, correlationId: string, manager?: EntityManager): Promise<void> {
    await execute(
      manager ?? this.dataSource.manager,
      'INSERT INTO sagas (id, type, state, correlation_id, deadline_at, data) VALUES ($1, $2, $3, $4, $5, $6)',
      [record.id, record.type, record.state, correlationId, record.deadlineAt, JSON.stringify(record.data)],
    );
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
