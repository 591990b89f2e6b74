import { FINISHED_SAGAS_DDL } from '@app/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sagas that are over: their steps are refused, so a replayed create-instance-admin signs no token. */
export class FinishedSagas1764400000000 implements MigrationInterface {
  name = 'FinishedSagas1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(FINISHED_SAGAS_DDL);
    // Sagas that ran their identity step before this table existed were never reported finished.
    // The orchestrator sends each step once and never again (no step is retried or resumed), so
    // refusing a later repeat of those steps breaks no saga, whether it finished or not;
    // compensations do not look at this table.
    await q.query('INSERT INTO finished_sagas (saga_id) SELECT saga_id FROM identities WHERE saga_id IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE finished_sagas');
  }
}
