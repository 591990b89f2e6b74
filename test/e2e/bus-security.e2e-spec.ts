import { randomUUID } from 'node:crypto';
import { AckPolicy, connect, ErrorCode, JSONCodec, NatsConnection, NatsError } from 'nats';
import { BusUser, BusUsers } from '@app/contracts';
import { AppProcess, bootstrap, TestStack } from '@app/testing';

jest.setTimeout(90_000);

const codec = JSONCodec<any>();
const SERVICES: BusUser[] = ['api-gateway', 'saga-orchestrator', 'user-service', 'organization-service', 'identity-service'];

/** A command in Nest's packet format, as a service would send it: the reply packet, or the NATS error code. */
async function send(nc: NatsConnection, subject: string, data: object): Promise<{ reply?: any; error?: string }> {
  try {
    const reply = await nc.request(subject, codec.encode({ pattern: subject, data, id: randomUUID() }), { timeout: 3_000 });
    return { reply: codec.decode(reply.data) };
  } catch (error) {
    if (error instanceof NatsError) return { error: error.code };
    throw error;
  }
}

/** Whether the server lets this connection subscribe: the error code it closes the subscription with, or 'allowed'. */
async function subscribeOutcome(nc: NatsConnection, subject: string, queue?: string): Promise<string> {
  const sub = nc.subscribe(subject, { queue });
  const refused = (async () => {
    try {
      for await (const _message of sub) {
        // a message would mean it is allowed; keep listening until closed
      }
      return 'closed';
    } catch (error) {
      return error instanceof NatsError ? error.code : String(error);
    }
  })();
  await nc.flush();
  const outcome = await Promise.race([refused, new Promise<string>((resolve) => setTimeout(() => resolve('allowed'), 750))]);
  if (!sub.isClosed()) sub.unsubscribe();
  return outcome;
}

async function connectError(options: Parameters<typeof connect>[0]): Promise<string> {
  try {
    const nc = await connect({ reconnect: false, timeout: 3_000, ...options });
    await nc.close();
    return 'connected';
  } catch (error) {
    return error instanceof NatsError ? error.code : String(error);
  }
}

/**
 * Bus security (bus-and-saga.md): every service its own NATS user with least privilege, generated
 * from libs/contracts. The attacks come from inside the network: a client without credentials,
 * and each user trying what its permissions do not give it.
 */
describe('Bus security (end to end)', () => {
  let stack: TestStack;
  let first: Awaited<ReturnType<typeof bootstrap>>;
  const count = async (table: string) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_bus_security' });
    first = await bootstrap(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('in normal operation', () => {
    it('bootstraps with every permission in force, and no permission is ever refused', () => {
      expect(first.status).toBe(200);
      expect(stack.nats.logs).not.toMatch(/Violation/);
    });

    it('connects every service as its own user, and nothing anonymously', async () => {
      const connections = await stack.nats.connections();
      expect(connections.filter((c) => c.authorized_user === undefined || c.authorized_user === '')).toEqual([]);
      for (const service of SERVICES) {
        // The bus server connection is named after the service, its client connection too (or <service>-client).
        const own = connections.filter((c) => c.name === service || c.name === `${service}-client`);
        expect([service, own.length > 0]).toEqual([service, true]);
        expect([service, [...new Set(own.map((c) => c.authorized_user))]]).toEqual([service, [service]]);
      }
      for (const proc of stack.processes) expect(proc.logs).toContain(`"user":"${proc.app}"`);
    });
  });

  describe('a client without the right credentials', () => {
    it('is refused without credentials', async () => {
      expect(await connectError({ servers: stack.nats.url })).toBe(ErrorCode.AuthorizationViolation);
    });

    it('is refused with a wrong password', async () => {
      expect(await connectError({ servers: stack.nats.url, user: 'api-gateway', pass: 'not-the-password' })).toBe(ErrorCode.AuthorizationViolation);
    });

    it("is refused with another user's password", async () => {
      const { NATS_PASSWORD } = stack.nats.credentials('api-gateway');
      expect(await connectError({ servers: stack.nats.url, user: 'saga-orchestrator', pass: NATS_PASSWORD })).toBe(ErrorCode.AuthorizationViolation);
    });

    it('stops a service whose password is wrong, with one line saying so and no secret', async () => {
      const proc = new AppProcess('organization-service', 'e2e_bus_security-bad-password', {
        ...stack.baseEnv(),
        ...stack.nats.credentials('organization-service'),
        NATS_PASSWORD: 'a-wrong-password-of-some-length',
      });
      await expect(proc.start(20_000)).rejects.toThrow(/exited with 1/);
      expect(proc.logs).toMatch(/NATS refused the credentials/);
      expect(proc.logs).not.toContain('a-wrong-password-of-some-length');
      await proc.dispose();
    });
  });

  describe("the gateway's user", () => {
    let gateway: NatsConnection;

    beforeAll(async () => {
      gateway = await stack.natsAs('api-gateway');
    });

    it('sends what the gateway sends (control)', async () => {
      expect((await send(gateway, 'identity.cmd.ping', {})).reply?.response).toMatchObject({ service: 'identity-service' });
    });

    it.each([
      ['identity.cmd.create-instance-admin', () => ({ sagaId: randomUUID(), organizationId: first.body.organization.id })],
      ['identity.cmd.reissue-instance-admin-token', () => ({ identityId: first.body.identity.id })],
      ['user.cmd.create-admin', () => ({ sagaId: randomUUID(), userId: randomUUID(), email: 'intruder@example.com', password: 'intruder-password' })],
      ['organization.cmd.add-identity-membership', () => ({ sagaId: randomUUID(), organizationId: first.body.organization.id, identityId: randomUUID() })],
    ])('cannot publish %s: a permission error, and nothing happens', async (subject, payload) => {
      const before = await Promise.all(
        ['user_service.users', 'identity_service.identities', 'identity_service.identity_access_tokens', 'organization_service.org_memberships'].map(count),
      );
      expect(await send(gateway, subject, payload())).toEqual({ error: ErrorCode.PermissionsViolation });
      const after = await Promise.all(
        ['user_service.users', 'identity_service.identities', 'identity_service.identity_access_tokens', 'organization_service.org_memberships'].map(count),
      );
      expect(after).toEqual(before);
      expect(stack.nats.logs).toMatch(new RegExp(`Publish Violation - User "api-gateway", Subject "${subject.replace(/\./g, '\\.')}"`));
    });

    it('cannot sniff the commands that carry passwords, even in their queue group', async () => {
      expect(await subscribeOutcome(gateway, 'user.cmd.create-admin')).toBe(ErrorCode.PermissionsViolation);
      expect(await subscribeOutcome(gateway, 'user.cmd.create-admin', 'user-service')).toBe(ErrorCode.PermissionsViolation);
      expect(await subscribeOutcome(gateway, 'user.cmd.login', 'user-service')).toBe(ErrorCode.PermissionsViolation);
    });

    it('receives on its own inbox only (control: allowed there)', async () => {
      expect(await subscribeOutcome(gateway, '_INBOX_api-gateway.test')).toBe('allowed');
      expect(await subscribeOutcome(gateway, '_INBOX_identity-service.>')).toBe(ErrorCode.PermissionsViolation);
      expect(await subscribeOutcome(gateway, '_INBOX.>')).toBe(ErrorCode.PermissionsViolation);
    });
  });

  describe("a participant's user", () => {
    it('cannot start a bootstrap (user-service publishing bootstrap.cmd.start)', async () => {
      const sagas = await count('saga_orchestrator.sagas');
      const userService = await stack.natsAs('user-service');
      expect(await send(userService, 'bootstrap.cmd.start', { email: 'x@example.com', password: 'p', organization: 'o' })).toEqual({
        error: ErrorCode.PermissionsViolation,
      });
      expect(await count('saga_orchestrator.sagas')).toBe(sagas);
    });

    it("cannot answer another service's commands, nor its own outside its queue group", async () => {
      const userService = await stack.natsAs('user-service');
      expect(await subscribeOutcome(userService, 'identity.cmd.create-instance-admin', 'identity-service')).toBe(ErrorCode.PermissionsViolation);
      expect(await subscribeOutcome(userService, 'user.cmd.create-admin')).toBe(ErrorCode.PermissionsViolation);
      expect(await subscribeOutcome(userService, 'user.cmd.create-admin', 'user-service')).toBe('allowed');
    });
  });

  describe('the events-reader user', () => {
    let reader: NatsConnection;

    beforeAll(async () => {
      reader = await stack.natsAs('events-reader');
    });

    it('follows the events: reads the completed event of the bootstrap', async () => {
      const consumer = await reader.jetstream().consumers.get('BOOTSTRAP_EVENTS', { filterSubjects: 'bootstrap.evt.completed' });
      const m = await consumer.next({ expires: 5_000 });
      expect(m?.subject).toBe('bootstrap.evt.completed');
      const [{ id: sagaId }] = await stack.db.query<{ id: string }>('SELECT id FROM saga_orchestrator.sagas');
      expect(codec.decode(m!.data)).toMatchObject({ sagaId, identity: { id: first.body.identity.id } });
    });

    it('cannot publish a command', async () => {
      expect(await send(reader, 'user.cmd.ping', {})).toEqual({ error: ErrorCode.PermissionsViolation });
      expect(await send(reader, 'bootstrap.cmd.start', { email: 'x@example.com', password: 'p', organization: 'o' })).toEqual({
        error: ErrorCode.PermissionsViolation,
      });
    });

    it('cannot publish an event, by JetStream or plainly: the stream does not grow', async () => {
      const before = (await stack.nats.streams()).find((s) => s.name === 'BOOTSTRAP_EVENTS')!.messages;
      await expect(reader.jetstream().publish('bootstrap.evt.completed', codec.encode({ forged: true }))).rejects.toMatchObject({
        code: ErrorCode.PermissionsViolation,
      });
      reader.publish('bootstrap.evt.failed', codec.encode({ forged: true }));
      await reader.flush();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await stack.nats.streams()).find((s) => s.name === 'BOOTSTRAP_EVENTS')!.messages).toBe(before);
      expect(stack.nats.logs).toMatch(/Publish Violation - User "events-reader", Subject "bootstrap\.evt\.failed"/);
    });

    it('cannot delete or purge the stream, nor read a message by sequence', async () => {
      const jsm = await reader.jetstreamManager({ checkAPI: false });
      await expect(jsm.streams.purge('BOOTSTRAP_EVENTS')).rejects.toThrow(/Permissions Violation/);
      await expect(jsm.streams.delete('BOOTSTRAP_EVENTS')).rejects.toThrow(/Permissions Violation/);
      await expect(jsm.streams.getMessage('BOOTSTRAP_EVENTS', { seq: 1 })).rejects.toThrow(/Permissions Violation/);
    });

    it('cannot delete a consumer, not even one it made itself (ephemeral ones go when idle)', async () => {
      const jsm = await reader.jetstreamManager({ checkAPI: false });
      const { name } = await jsm.consumers.add('BOOTSTRAP_EVENTS', { ack_policy: AckPolicy.None });
      await expect(jsm.consumers.delete('BOOTSTRAP_EVENTS', name)).rejects.toThrow(/Permissions Violation/);
      await expect(jsm.consumers.info('BOOTSTRAP_EVENTS', name)).resolves.toMatchObject({ name });
    });

    it('is bounded: at most 100 connections for all readers, messages of at most 64 KiB, at most 100 consumers on the stream', async () => {
      await expect(reader.request('$JS.API.STREAM.INFO.BOOTSTRAP_EVENTS', new Uint8Array(65 * 1024))).rejects.toMatchObject({ code: ErrorCode.MaxPayloadExceeded });
      const jsm = await reader.jetstreamManager({ checkAPI: false });
      const made: string[] = [];
      let refusal: unknown;
      for (let i = 0; i < 105 && refusal === undefined; i += 1) {
        await jsm.consumers.add('BOOTSTRAP_EVENTS', { ack_policy: AckPolicy.None, inactive_threshold: 10_000_000_000 }).then(
          (info) => made.push(info.name),
          (error: unknown) => (refusal = error),
        );
      }
      expect(String(refusal)).toMatch(/maximum consumers limit reached/);
      expect(made.length).toBeLessThanOrEqual(100);
      const extra: NatsConnection[] = [];
      let refused: unknown;
      for (let i = 0; i < 105 && refused === undefined; i += 1) {
        await stack.natsAs('events-reader', { reconnect: false }).then((nc) => extra.push(nc), (error: unknown) => (refused = error));
      }
      await Promise.all(extra.map((nc) => nc.close()));
      expect(String(refused)).toMatch(/maximum account active connections exceeded/);
      expect(extra.length).toBeLessThan(100);
    });
  });

  describe('no user', () => {
    it.each(BusUsers)('%s cannot subscribe to ">" or to every command', async (user) => {
      const nc = await stack.natsAs(user);
      expect(await subscribeOutcome(nc, '>')).toBe(ErrorCode.PermissionsViolation);
      expect(await subscribeOutcome(nc, '*.cmd.>')).toBe(ErrorCode.PermissionsViolation);
    });
  });
});
