/*
 * The floor for the HTTP figures: what the same work costs with nothing in between — plain
 * Fastify and pg in one process, no Nest, no bus, no second process. It runs against the real
 * stack's database (the same schemas, rows and indexes the services use), so the difference
 * with the gateway is what the architecture adds.
 *
 *   GET  /api/v1/projects       token check + the organization-service's list statement
 *   POST /api/v1/projects       token check + the organization-service's create statement
 *   POST /api/v1/admin/bootstrap  the refusal the real gateway answers once the instance is set up
 *
 * The token check is the identity-service's: TokenService.verifyIdentityAccessToken (HS256 with
 * a KeyObject, issuer, audience, maximum age and the claims' schema, libs/tokens/src/tokens.ts)
 * and one query for the token record by id, with its expiry.
 * Environment: PORT, DB_CONNECTION_URI, AUTH_SECRET, REFUSAL_BODY (the captured 400 body).
 * Prints "floor ready" when listening.
 */
import { CreateProjectBodySchema } from '@app/contracts';
import Fastify, { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { createProjectParameters, createProjectSql, fromJson, listProjectsSql } from '../../apps/organization-service/src/projects/projects.service';
import { TokenService } from '../../libs/tokens/src/tokens';

const { PORT, DB_CONNECTION_URI, AUTH_SECRET, REFUSAL_BODY } = process.env;
if (!PORT || !DB_CONNECTION_URI || !AUTH_SECRET) throw new Error('PORT, DB_CONNECTION_URI and AUTH_SECRET are required');

const tokens = new TokenService(AUTH_SECRET);
// The same pool size and search path as organization-service's data source (libs/database).
const pool = new Pool({ connectionString: DB_CONNECTION_URI, max: 10, options: '-c search_path=organization_service' });

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Caller {
  identityId: string;
  orgId: string;
}

/** MAX_MACHINE_IDENTITY_TOKEN_AGE's default, as the stacks run it. */
const MAX_AGE_MS = 90 * 24 * 3600 * 1000;

async function authenticate(authorization: string | undefined): Promise<Caller> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (token === undefined) throw new Refused(401, 'Token missing');
  let claims;
  try {
    claims = tokens.verifyIdentityAccessToken(token, MAX_AGE_MS);
  } catch {
    throw new Refused(401, 'Invalid token');
  }
  const { rows } = await pool.query(
    `SELECT t.id AS token_id, t.revoked_at, t.expires_at <= now() AS expired, i.id AS identity_id, i.org_id, i.is_instance_admin
       FROM identity_service.identity_access_tokens t JOIN identity_service.identities i ON i.id = t.identity_id
      WHERE t.id = $1`,
    [claims.identityAccessTokenId],
  );
  const row = rows[0];
  if (row === undefined || row.identity_id !== claims.identityId || row.revoked_at !== null) throw new Refused(401, 'Token has been revoked');
  if (row.expired) throw new Refused(401, 'Invalid token');
  return { identityId: row.identity_id, orgId: row.org_id };
}

async function listProjects(caller: Caller) {
  const { rows } = await pool.query(listProjectsSql('identity_id'), [caller.orgId, caller.identityId, 0, 20]);
  if (rows[0].role !== 'admin' && rows[0].role !== 'member') throw new Refused(403, 'Not allowed');
  return { projects: (rows[0].projects ?? []).map(fromJson) };
}

async function createProject(caller: Caller, input: unknown) {
  const body = CreateProjectBodySchema.parse(input);
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const { rows } = await pool.query(createProjectSql('identity_id'), createProjectParameters(caller.orgId, caller.identityId, body));
    if (rows[0].role !== 'admin' && rows[0].role !== 'member') throw new Refused(403, 'Not allowed');
    if (rows[0].project !== null) return { project: fromJson(rows[0].project) };
  }
  throw new Refused(400, 'slug taken');
}

function fail(reply: FastifyReply, error: unknown) {
  const status = error instanceof Refused ? error.status : 500;
  return reply.code(status).send({ statusCode: status, message: error instanceof Error ? error.message : String(error) });
}

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
app.get('/api/v1/projects', async (request, reply) => {
  try {
    return await listProjects(await authenticate(request.headers.authorization));
  } catch (error) {
    return fail(reply, error);
  }
});
app.post('/api/v1/projects', async (request, reply) => {
  try {
    return await createProject(await authenticate(request.headers.authorization), request.body);
  } catch (error) {
    return fail(reply, error);
  }
});
const refusal = REFUSAL_BODY ?? '{}';
app.post('/api/v1/admin/bootstrap', async (_request, reply) => reply.code(400).header('content-type', 'application/json; charset=utf-8').send(refusal));

app.listen({ port: Number(PORT), host: '127.0.0.1' }).then(
  () => console.log('floor ready'),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void app.close().then(() => pool.end()).finally(() => process.exit(0)));
