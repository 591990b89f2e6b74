import { AckPolicy, DeliverPolicy, JSONCodec, NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { ApiClient, bootstrap, TestStack } from '@app/testing';

jest.setTimeout(90_000);

const codec = JSONCodec<any>();

/** One command on the bus, as any client of the NATS server could send it: the reply, or the error body. */
async function command(nc: NatsConnection, subject: string, data: object): Promise<{ response?: any; err?: { code: string; message: string } }> {
  const reply = await nc.request(subject, codec.encode({ pattern: subject, data, id: randomUUID() }), { timeout: 5_000 });
  const packet = codec.decode(reply.data);
  return packet.err ? { err: packet.err } : { response: packet.response };
}

/** The saga id the public bootstrap.evt.completed event carries, read as any event subscriber can. */
async function completedSagaId(nc: NatsConnection): Promise<string> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const info = await jsm.consumers.add('BOOTSTRAP_EVENTS', {
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: 'bootstrap.evt.completed',
  });
  const consumer = await nc.jetstream().consumers.get('BOOTSTRAP_EVENTS', info.name);
  const batch = await consumer.fetch({ max_messages: 1, expires: 2_000 });
  for await (const m of batch) return codec.decode(m.data).sagaId;
  throw new Error('no bootstrap.evt.completed in the stream');
}

const count = async (stack: TestStack, sql: string, params: unknown[] = []) => (await stack.db.query<{ n: number }>(sql, params))[0].n;

/**
 * Bus security: a replayed saga command (same saga id, read from the public events) creates
 * nothing new, and once the saga has finished a replay of the identity step signs no token.
 *
 * The commands are sent as the saga-orchestrator's NATS user, the only one the server lets
 * publish them: this proves the participants' own defence, independently of the permissions
 * (which keep every other user from sending these at all).
 */
describe('Replayed saga commands (end to end)', () => {
  let stack: TestStack;
  let nc: NatsConnection;
  let reader: NatsConnection;
  let first: Awaited<ReturnType<typeof bootstrap>>;
  let sagaId: string;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_saga_replay' });
    first = await bootstrap(stack.gatewayUrl);
    reader = await stack.natsAs('events-reader');
    sagaId = await completedSagaId(reader);
    nc = await stack.natsAs('saga-orchestrator');
  });

  afterAll(async () => {
    await nc?.close();
    await reader?.close();
    await stack?.stop();
  });

  it('bootstrapped, and the completed event names the saga', async () => {
    expect(first.status).toBe(200);
    expect(await stack.db.query('SELECT id FROM saga_orchestrator.sagas')).toEqual([{ id: sagaId }]);
  });

  it('refuses identity.cmd.create-instance-admin with SAGA.FINISHED: no token, no record, nothing revoked', async () => {
    const replay = await command(nc, 'identity.cmd.create-instance-admin', { sagaId, organizationId: first.body.organization.id });
    expect(replay).toEqual({ err: { code: 'SAGA.FINISHED', message: 'This saga has already finished' } });
    expect(JSON.stringify(replay)).not.toMatch(/eyJ/);
    expect(await count(stack, 'SELECT count(*)::int AS n FROM identity_service.identity_access_tokens')).toBe(1);
    expect(await count(stack, 'SELECT count(*)::int AS n FROM identity_service.identities')).toBe(1);
    const root = new ApiClient(stack.gatewayUrl, first.body.identity.credentials.token);
    expect((await root.get(`/api/v1/identities/${first.body.identity.id}`)).status).toBe(200);
  });

  it('refuses it naming another organization too', async () => {
    const replay = await command(nc, 'identity.cmd.create-instance-admin', { sagaId, organizationId: randomUUID() });
    expect(replay.err?.code).toBe('SAGA.FINISHED');
    expect(await count(stack, 'SELECT count(*)::int AS n FROM identity_service.identities')).toBe(1);
  });

  it('refuses user.cmd.create-admin with SAGA.FINISHED and creates no admin: the replayer cannot log in', async () => {
    const intruder = { email: 'intruder@example.com', password: 'intruder-password' };
    const replay = await command(nc, 'user.cmd.create-admin', { sagaId, userId: randomUUID(), ...intruder });
    expect(replay.err?.code).toBe('SAGA.FINISHED');
    expect(await count(stack, 'SELECT count(*)::int AS n FROM user_service.users')).toBe(1);
    const login = await new ApiClient(stack.gatewayUrl).post('/api/v3/auth/login', intruder);
    expect(login.status).toBe(400);
  });

  it('refuses organization.cmd.create with SAGA.FINISHED and adds no organization or member', async () => {
    const replay = await command(nc, 'organization.cmd.create', { sagaId, name: 'intruders', adminUserId: randomUUID() });
    expect(replay.err?.code).toBe('SAGA.FINISHED');
    expect(await count(stack, 'SELECT count(*)::int AS n FROM organization_service.organizations')).toBe(1);
    expect(await count(stack, 'SELECT count(*)::int AS n FROM organization_service.org_memberships')).toBe(2);
  });

  it('organization.cmd.add-identity-membership for another identity is refused and adds nothing', async () => {
    const replay = await command(nc, 'organization.cmd.add-identity-membership', {
      sagaId,
      organizationId: first.body.organization.id,
      identityId: randomUUID(),
    });
    expect(replay.err?.code).toBe('SAGA.FINISHED');
    expect(await count(stack, 'SELECT count(*)::int AS n FROM organization_service.org_memberships')).toBe(2);
  });

  it.each([
    ['user.cmd.undo-create-admin', 'user_service.users WHERE super_admin'],
    ['organization.cmd.undo-create', 'organization_service.organizations'],
    ['organization.cmd.undo-add-identity-membership', 'organization_service.org_memberships'],
    ['identity.cmd.undo-create-instance-admin', 'identity_service.identities WHERE is_instance_admin'],
  ])('refuses the compensation %s of the finished saga with SAGA.FINISHED: the admins stay', async (subject, table) => {
    const before = await count(stack, `SELECT count(*)::int AS n FROM ${table}`);
    expect((await command(nc, subject, { sagaId })).err?.code).toBe('SAGA.FINISHED');
    expect(await count(stack, `SELECT count(*)::int AS n FROM ${table}`)).toBe(before);
    expect((await new ApiClient(stack.gatewayUrl, first.body.identity.credentials.token).get('/api/v1/projects')).status).toBe(200);
  });

  it('the identity-creation saga: identity.cmd.create creates nothing new, and nothing once its identity is deleted', async () => {
    const root = new ApiClient(stack.gatewayUrl, first.body.identity.credentials.token);
    const created = await root.post('/api/v1/identities', { name: 'deployer', organizationId: first.body.organization.id, role: 'member' });
    expect(created.status).toBe(200);
    const [{ id: creationSagaId }] = await stack.db.query<{ id: string }>(
      `SELECT id FROM saga_orchestrator.sagas WHERE type <> 'bootstrap'`,
    );
    // The replayer holds the orchestrator's NATS credentials, not a caller signed by an
    // authenticating service: it is refused before the saga is even looked at (the participants'
    // SAGA.FINISHED for a completed identity-creation saga is proved in finished-sagas.int-spec).
    const caller = { type: 'user', id: randomUUID(), orgId: first.body.organization.id, isInstanceAdmin: false, tokenId: randomUUID() };
    const replay = (identityId: string) =>
      command(nc, 'identity.cmd.create', { sagaId: creationSagaId, caller, identityId, name: 'intruder', organizationId: first.body.organization.id });
    const before = await count(stack, 'SELECT count(*)::int AS n FROM identity_service.identities');

    expect((await replay(randomUUID())).err?.code).toBe('BUS.CALLER_UNVERIFIED');
    expect(await count(stack, 'SELECT count(*)::int AS n FROM identity_service.identities')).toBe(before);

    expect((await root.delete(`/api/v1/identities/${created.body.identity.id}`)).status).toBe(200);
    expect((await replay(created.body.identity.id)).err?.code).toBe('BUS.CALLER_UNVERIFIED');
    expect(await count(stack, 'SELECT count(*)::int AS n FROM identity_service.identities')).toBe(before - 1);
  });
});
