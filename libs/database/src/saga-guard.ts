import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';
import { DataSource, EntityManager } from 'typeorm';

/*
 * Participant-side saga guard. A command that timed out may still run after the orchestrator
 * compensated it; then it must not create anything. So each participant keeps a tombstone per
 * compensated saga (table `compensated_sagas`, created by the service's first migration) and
 * serializes every command of one saga with a transaction-scoped advisory lock.
 *
 * Saga ids are not secret (the public events carry them), so a step replayed for a saga that
 * is over must not create or sign anything either: a second tombstone (`finished_sagas`)
 * records sagas that finished — told by the orchestrator (identity-service, whose step signs a
 * token), or learned locally when what the saga created is deleted later (every participant:
 * a replay would otherwise create it afresh, e.g. a new superAdmin with the replayer's password).
 */

export const COMPENSATED_SAGAS_DDL =
  'CREATE TABLE compensated_sagas (saga_id uuid PRIMARY KEY, compensated_at timestamptz NOT NULL DEFAULT now())';

export const FINISHED_SAGAS_DDL = 'CREATE TABLE finished_sagas (saga_id uuid PRIMARY KEY, finished_at timestamptz NOT NULL DEFAULT now())';

/** Serializes the commands of one saga on this service, until the transaction ends. */
async function lockSaga(manager: EntityManager, sagaId: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`saga:${sagaId}`]);
}

/** Call first inside the transaction of a saga step: locks the saga and refuses a compensated or finished one. */
export async function enterSagaStep(manager: EntityManager, sagaId: string): Promise<void> {
  await lockSaga(manager, sagaId);
  const rows: Array<{ ended: 'compensated' | 'finished' }> = await manager.query(
    `SELECT 'compensated' AS ended FROM compensated_sagas WHERE saga_id = $1
     UNION ALL SELECT 'finished' FROM finished_sagas WHERE saga_id = $1`,
    [sagaId],
  );
  if (rows.some((row) => row.ended === 'compensated')) {
    throw new DomainError(ErrorCodes.sagaCancelled, 'This saga was already rolled back');
  }
  if (rows.length > 0) {
    throw new DomainError(ErrorCodes.sagaFinished, 'This saga has already finished');
  }
}

/**
 * Records, inside the caller's transaction, that these sagas are over: their steps are refused
 * from then on (SAGA.FINISHED). Takes each saga's lock (in a fixed order), so a step of the
 * same saga running now either finishes first or sees the tombstone. Idempotent; nulls (rows
 * no saga created) are skipped.
 */
export async function markSagasFinished(manager: EntityManager, sagaIds: ReadonlyArray<string | null | undefined>): Promise<void> {
  const ids = [...new Set(sagaIds.filter((id): id is string => typeof id === 'string'))].sort();
  for (const id of ids) {
    await lockSaga(manager, id);
    await manager.query('INSERT INTO finished_sagas (saga_id) VALUES ($1) ON CONFLICT DO NOTHING', [id]);
  }
}

/** The orchestrator said the saga finished: one transaction around markSagasFinished. Idempotent. */
export function finishSaga(dataSource: DataSource, sagaId: string): Promise<void> {
  return dataSource.transaction((m) => markSagasFinished(m, [sagaId]));
}

async function markSagaCompensated(manager: EntityManager, sagaId: string): Promise<void> {
  await manager.query('INSERT INTO compensated_sagas (saga_id) VALUES ($1) ON CONFLICT DO NOTHING', [sagaId]);
}

/**
 * Runs a compensation: under the saga's lock, `undo` removes what the saga created, and the
 * tombstone then refuses any of the saga's steps that arrive later. Idempotent. Refused
 * (SAGA.FINISHED) once the saga has finished: a completed saga is never undone, so a
 * compensation of one is a replay or an attack (its id is public), and must not erase the admins.
 */
export function compensateSaga(
  dataSource: DataSource,
  sagaId: string,
  undo: (manager: EntityManager) => Promise<number>,
): Promise<{ removed: number }> {
  return dataSource.transaction(async (m) => {
    await lockSaga(m, sagaId);
    const finished: unknown[] = await m.query('SELECT 1 FROM finished_sagas WHERE saga_id = $1', [sagaId]);
    if (finished.length > 0) throw new DomainError(ErrorCodes.sagaFinished, 'This saga has already finished');
    const removed = await undo(m);
    await markSagaCompensated(m, sagaId);
    return { removed };
  });
}
