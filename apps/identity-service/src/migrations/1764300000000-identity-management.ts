import { MigrationInterface, QueryRunner } from 'typeorm';

/** Managing identities and their tokens after bootstrap. Additive only: old rows stay valid. */
export class IdentityManagement1764300000000 implements MigrationInterface {
  name = 'IdentityManagement1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE identities ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()');
    // Nullable: records minted before this migration did not keep their TTLs (list-tokens shows
    // the identity's Token Auth TTLs for them).
    await q.query('ALTER TABLE identity_access_tokens ADD COLUMN access_token_ttl integer, ADD COLUMN access_token_max_ttl integer');
    // list-tokens pages newest first per identity; the server-admin list pages in creation order.
    await q.query('CREATE INDEX identity_access_tokens_identity_created ON identity_access_tokens (identity_id, created_at DESC, id DESC)');
    await q.query('DROP INDEX identity_access_tokens_identity_id');
    await q.query('CREATE INDEX identities_created ON identities (created_at, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX identities_created');
    await q.query('CREATE INDEX identity_access_tokens_identity_id ON identity_access_tokens (identity_id)');
    await q.query('DROP INDEX identity_access_tokens_identity_created');
    await q.query('ALTER TABLE identity_access_tokens DROP COLUMN access_token_max_ttl, DROP COLUMN access_token_ttl');
    await q.query('ALTER TABLE identities DROP COLUMN updated_at');
  }
}
