import { MigrationInterface, QueryRunner } from 'typeorm';

export class Login1764300000000 implements MigrationInterface {
  name = 'Login1764300000000';

  async up(q: QueryRunner): Promise<void> {
    // A user's login session: every token from that login names it, so ending it ends them all.
    await q.query(`
      CREATE TABLE user_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query('CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id)');
    // Keyed on the email as typed (lower-cased), known or not, so the lockout tells nothing about who exists.
    await q.query(`
      CREATE TABLE login_attempts (
        email text PRIMARY KEY,
        failures integer NOT NULL,
        locked_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE login_attempts');
    await q.query('DROP TABLE user_sessions');
  }
}
