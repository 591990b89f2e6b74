import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login failures are counted per account and address (see LoginLockout): a stranger's failures
 * lock the stranger's address out of that account, not the account. Counts from before are
 * dropped (at worst they held a lock of five minutes).
 */
export class LoginAttemptsByAddress1764500000000 implements MigrationInterface {
  name = 'LoginAttemptsByAddress1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM login_attempts');
    await q.query(`ALTER TABLE login_attempts ADD COLUMN client_address text NOT NULL DEFAULT 'unknown'`);
    await q.query('ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_pkey');
    await q.query('ALTER TABLE login_attempts ADD PRIMARY KEY (email, client_address)');
    // The purge deletes by age.
    await q.query('CREATE INDEX login_attempts_updated_at_idx ON login_attempts (updated_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM login_attempts');
    await q.query('DROP INDEX login_attempts_updated_at_idx');
    await q.query('ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_pkey');
    await q.query('ALTER TABLE login_attempts DROP COLUMN client_address');
    await q.query('ALTER TABLE login_attempts ADD PRIMARY KEY (email)');
  }
}
