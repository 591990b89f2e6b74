/*
 * The floor for a bootstrap: the work itself, with nothing in between — one argon2id hash with
 * the user-service's own parameters, then the rows a bootstrap leaves (user, organization, the
 * user's and the identity's memberships, identity, its Token Auth, its access token) written in
 * ONE transaction on one open connection, and the token signed. Run in the bench process against
 * a database that a real stack migrated (the services' own schemas, constraints and indexes), after
 * that stack's processes were stopped. Not written: the saga row and instance_state, which only
 * exist because the work is split across services.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import argon2 from 'argon2';
import { Client } from 'pg';
import { ARGON2_OPTIONS } from '../../apps/user-service/src/users/password-hasher';
import { TokenService } from '../../libs/tokens/src/tokens';

export interface FloorRun {
  hashMs: number[];
  transactionMs: number[];
  totalMs: number[];
}

async function once(client: Client, tokens: TokenService, i: number): Promise<[number, number]> {
  const sagaId = randomUUID();
  const tag = `${Date.now().toString(36)}-${i}-${randomBytes(3).toString('hex')}`;
  const t0 = performance.now();
  const hash = await argon2.hash('your-secure-password', ARGON2_OPTIONS);
  const t1 = performance.now();
  await client.query('BEGIN');
  const user = await client.query(
    `INSERT INTO user_service.users (email, username, first_name, last_name, super_admin, password_hash, saga_id)
     VALUES ($1, $1, '', '', true, $2, $3) RETURNING id`,
    [`floor-${tag}@example.com`, hash, sagaId],
  );
  const org = await client.query(`INSERT INTO organization_service.organizations (name, slug, saga_id) VALUES ($1, $2, $3) RETURNING id`, [
    'dog',
    `dog-${tag}`,
    sagaId,
  ]);
  const userId = user.rows[0].id;
  const orgId = org.rows[0].id;
  await client.query(`INSERT INTO organization_service.org_memberships (org_id, user_id, role, saga_id) VALUES ($1, $2, 'admin', $3)`, [
    orgId,
    userId,
    sagaId,
  ]);
  const identity = await client.query(
    `INSERT INTO identity_service.identities (name, org_id, is_instance_admin, saga_id) VALUES ('Instance Admin Identity', $1, true, $2) RETURNING id`,
    [orgId, sagaId],
  );
  const identityId = identity.rows[0].id;
  await client.query(`INSERT INTO identity_service.identity_token_auths (identity_id, access_token_ttl, access_token_max_ttl) VALUES ($1, 0, 0)`, [
    identityId,
  ]);
  const token = await client.query(
    `INSERT INTO identity_service.identity_access_tokens (identity_id, name) VALUES ($1, 'Instance Admin Token') RETURNING id, created_at`,
    [identityId],
  );
  await client.query(`INSERT INTO organization_service.org_memberships (org_id, identity_id, role, saga_id) VALUES ($1, $2, 'admin', $3)`, [
    orgId,
    identityId,
    sagaId,
  ]);
  await client.query('COMMIT');
  tokens.signIdentityAccessToken(identityId, token.rows[0].id, token.rows[0].created_at, null);
  const t2 = performance.now();
  return [t1 - t0, t2 - t1];
}

/** `iterations` measured runs after `warmup` unmeasured ones, one after the other. */
export async function measureBootstrapFloor(databaseUrl: string, iterations: number, warmup = 2): Promise<FloorRun> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const tokens = new TokenService(randomBytes(32).toString('base64url'));
  const run: FloorRun = { hashMs: [], transactionMs: [], totalMs: [] };
  try {
    for (let i = 0; i < warmup + iterations; i += 1) {
      const [hash, tx] = await once(client, tokens, i);
      if (i < warmup) continue;
      run.hashMs.push(hash);
      run.transactionMs.push(tx);
      run.totalMs.push(hash + tx);
    }
  } finally {
    await client.end();
  }
  return run;
}
