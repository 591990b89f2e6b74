/*
 * The floor for the HTTP figures: what the same work costs with nothing in between — plain
 * Fastify and pg in one process, no Nest, no bus, no second process. It runs against the real
 * stack's database (the same schemas, rows and indexes the services use), so the difference
 * with the gateway is what the architecture adds.
 *
 *   GET  /api/v1/projects       token check + the organization-service's list query
 *   POST /api/v1/projects       token check + the organization-service's create transaction
 *   POST /api/v1/admin/bootstrap  the refusal the real gateway answers once the instance is set up
 *
 * The token check is the identity-service's: TokenService.verify (HS256 with a KeyObject and
 * the claims' schema, libs/tokens/src/tokens.ts) and one query for the token record by id.
 * Environment: PORT, DB_CONNECTION_URI, AUTH_SECRET, REFUSAL_BODY (the captured 400 body).
 * Prints "floor ready" when listening.
 */
import { CreateProjectBodySchema } from '@app/contracts';
import Fastify, { FastifyReply } from 'fastify';
import { Pool, PoolClient } from 'pg';
import { projectSlug } from '../../apps/organization-service/src/projects/project-slug';
import { toProjectView } from '../../apps/organization-service/src/projects/project-views';
import { TokenService } from '../../libs/tokens/src/tokens';

const { PORT, DB_CONNECTION_URI, AUTH_SECRET, REFUSAL_BODY } = process.env;
if (!PORT || !DB_CONNECTION_URI || !AUTH_SECRET) throw new Error('PORT, DB_CONNECTION_URI and AUTH_SECRET are required');

const tokens = new TokenService(AUTH_SECRET);
// The same pool size as each service's data source (libs/database).
const pool = new Pool({ connectionString: DB_CONNECTION_URI, max: 10 });

const DEFAULT_ENVIRONMENTS = [
  { name: 'Development', slug: 'dev' },
  { name: 'Staging', slug: 'staging' },
  { name: 'Production', slug: 'prod' },
];
const PROJECT_COLUMNS = 'id, name, description, slug, type, org_id AS "orgId", created_at AS "createdAt", updated_at AS "updatedAt"';

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

async function authenticate(authorization: string | undefined): Promise<Caller> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (token === undefined) throw new Refused(401, 'Token missing');
  let claims;
  try {
    claims = tokens.verify(token);
  } catch {
    throw new Refused(401, 'Invalid token');
  }
  if (claims.authTokenType !== 'identityAccessToken') throw new Refused(401, 'Invalid token');
  const { rows } = await pool.query(
    `SELECT t.id AS token_id, t.revoked_at, i.id AS identity_id, i.org_id, i.is_instance_admin
       FROM identity_service.identity_access_tokens t JOIN identity_service.identities i ON i.id = t.identity_id
      WHERE t.id = $1`,
    [claims.identityAccessTokenId],
  );
  const row = rows[0];
  if (row === undefined || row.identity_id !== claims.identityId || row.revoked_at !== null) throw new Refused(401, 'Token has been revoked');
  return { identityId: row.identity_id, orgId: row.org_id };
}

async function role(q: Pool | PoolClient, caller: Caller, lock = false): Promise<string | null> {
  const { rows } = await q.query(
    `SELECT role FROM organization_service.org_memberships WHERE org_id = $1 AND identity_id = $2${lock ? ' FOR SHARE' : ''}`,
    [caller.orgId, caller.identityId],
  );
  return rows[0]?.role ?? null;
}

async function listProjects(caller: Caller) {
  const r = await role(pool, caller);
  if (r !== 'admin' && r !== 'member') throw new Refused(403, 'Not allowed');
  const { rows: projects } = await pool.query(
    `SELECT ${PROJECT_COLUMNS} FROM organization_service.projects WHERE org_id = $1 ORDER BY created_at ASC, id ASC LIMIT 20 OFFSET 0`,
    [caller.orgId],
  );
  if (projects.length === 0) return { projects: [] };
  const { rows: environments } = await pool.query(
    'SELECT id, project_id, name, slug, position FROM organization_service.project_environments WHERE project_id = ANY($1)',
    [projects.map((p) => p.id)],
  );
  return { projects: projects.map((p) => toProjectView(p, environments.filter((e) => e.project_id === p.id))) };
}

async function createProject(caller: Caller, input: unknown) {
  const body = CreateProjectBodySchema.parse(input);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const r = await role(client, caller, true);
    if (r !== 'admin' && r !== 'member') throw new Refused(403, 'Not allowed');
    let project;
    for (let attempt = 0; attempt < 8 && project === undefined; attempt += 1) {
      const { rows } = await client.query(
        `INSERT INTO organization_service.projects (org_id, name, description, slug, type, template) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, slug) DO NOTHING RETURNING ${PROJECT_COLUMNS}`,
        [caller.orgId, body.projectName, body.projectDescription, body.slug ?? projectSlug(body.projectName), body.type, body.template],
      );
      project = rows[0];
    }
    if (project === undefined) throw new Refused(400, 'slug taken');
    const { rows: environments } = await client.query(
      `INSERT INTO organization_service.project_environments (project_id, name, slug, position)
       SELECT $1, e.name, e.slug, e.position FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(name, slug, position)
       RETURNING id, name, slug, position`,
      [project.id, DEFAULT_ENVIRONMENTS.map((e) => e.name), DEFAULT_ENVIRONMENTS.map((e) => e.slug)],
    );
    await client.query(`INSERT INTO organization_service.project_memberships (project_id, identity_id, role) VALUES ($1, $2, 'admin')`, [
      project.id,
      caller.identityId,
    ]);
    await client.query('COMMIT');
    return { project: toProjectView(project, environments) };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
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
