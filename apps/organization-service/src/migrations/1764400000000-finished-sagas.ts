import { FINISHED_SAGAS_DDL } from '@app/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sagas that are over (what they created was deleted since): their steps are refused. */
export class FinishedSagas1764400000000 implements MigrationInterface {
  name = 'FinishedSagas1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(FINISHED_SAGAS_DDL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE finished_sagas');
  }
}
