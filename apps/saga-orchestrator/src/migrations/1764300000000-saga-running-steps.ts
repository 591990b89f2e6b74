import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Steps can run side by side: the row names every running step (a sweep undoes them all), where
 * `current_step` could name one. A saga a previous version left running keeps its current step.
 */
export class SagaRunningSteps1764300000000 implements MigrationInterface {
  name = 'SagaRunningSteps1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sagas ADD COLUMN running_steps jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`UPDATE sagas SET running_steps = jsonb_build_array(current_step) WHERE state = 'RUNNING' AND current_step IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE sagas DROP COLUMN running_steps');
  }
}
