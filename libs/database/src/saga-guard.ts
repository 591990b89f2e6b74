import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';
import { DataSource, EntityManager } from 'typeorm';

/*
 * Participant-side saga guard. A command that timed out may still run after the orchestrator
 * compensated it; then it must not create anything. So each participant keeps a tombstone per
 * compensated saga (table `compensated_sagas`, created by the service's first migration) and
 * serializes every command of one saga with a transaction-scoped advisory lock.
 */

export const COMPENSATED_SAGAS_DDL =
  'CREATE TABLE compensated_sagas (saga_id uuid PRIMARY KEY, compensated_at timestamptz NOT NULL DEFAULT now())';

/** Serializes the commands of one saga on this service, until the transaction ends. */
async function lockSaga(manager: EntityManager, sagaId: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`saga:${sagaId}`]);
}

/** Call first inside the transaction of a saga step: locks the saga and refuses a compensated one. */
export async function enterSagaStep(manager: EntityManager, sagaId: string): Promise<void> {
  await lockSaga(manager, sagaId);
  const rows: unknown[] = await manager.query('SELECT 1 FROM compensated_sagas WHERE saga_id = $1', [sagaId]);
  if (rows.length > 0) {
    throw new DomainError(ErrorCodes.sagaCancelled, 'This saga was already rolled back');
  }
}

async function markSagaCompensated(manager: EntityManager, sagaId: string): Promise<void> {
  await manager.query('INSERT INTO compensated_sagas (saga_id) VALUES ($1) ON CONFLICT DO NOTHING', [sagaId]);
}

/**
 * Runs a compensation: under the saga's lock, `undo` removes what the saga created, and the
 * tombstone then refuses any of the saga's steps that arrive later. Idempotent.
 */
export function compensateSaga(
  dataSource: DataSource,
  sagaId: string,
  undo: (manager: EntityManager) => Promise<number>,
): Promise<{ removed: number }> {
  return dataSource.transaction(async (m) => {
    await lockSaga(m, sagaId);
    const removed = await undo(m);
    await markSagaCompensated(m, sagaId);
    return { removed };
  });
}
