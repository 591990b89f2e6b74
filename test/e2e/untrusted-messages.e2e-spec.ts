import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, headers, JSONCodec, NatsConnection, StringCodec } from 'nats';
import { BusSenders, BusUser, CommandSchemas, Subjects } from '@app/contracts';
import { ApiClient, bootstrap, TestStack } from '@app/testing';

jest.setTimeout(180_000);

const codec = JSONCodec<any>();
const text = StringCodec();
const STREAM = 'BOOTSTRAP_EVENTS';
const COMMAND_SUBJECTS = Object.keys(CommandSchemas);
const UNDO_SUBJECTS = [
  [Subjects.identity.undoCreateInstanceAdmin, 'identity-service'],
  [Subjects.user.undoCreateAdmin, 'user-service'],
  [Subjects.organization.undoCreate, 'organization-service'],
  [Subjects.organization.undoAddIdentityMembership, 'organization-service'],
] as const;

/** A user that may publish `subject` (every command has a sender). */
function senderOf(subject: string): BusUser {
  const user = (Object.keys(BusSenders) as BusUser[]).find((u) => (BusSenders[u] as readonly string[]).includes(subject));
  if (user === undefined) throw new Error(`no user sends ${subject}`);
  return user;
}

/**
 * Trust no message (bus-and-saga.md, *Trust*): an attacker holding a real but limited NATS
 * credential — the events reader's, handed to anyone who follows the events, or a service's —
 * can neither turn a stored event into a command nor crash a service with what it sends.
 */
describe('Untrusted messages (end to end)', () => {
  let stack: TestStack;
  let first: Awaited<ReturnType<typeof bootstrap>>;
  const count = async (sql: string) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`))[0].n;
  const admins = () =>
    Promise.all([
      count('user_service.users WHERE super_admin'),
      count('organization_service.organizations'),
      count('organization_service.org_memberships'),
      count('identity_service.identities WHERE is_instance_admin'),
      count('identity_service.identity_access_tokens WHERE revoked_at IS NULL'),
    ]);
  const rootTokenWorks = async () => (await new ApiClient(stack.gatewayUrl, first.body.identity.credentials.token).get('/api/v1/projects')).status;
  const allRunning = () => stack.processes.map((p) => [p.label, p.running]);

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_untrusted', healthPorts: true });
    first = await bootstrap(stack.gatewayUrl);
    expect(first.status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('the events reader, turning stored events into commands', () => {
    let reader: NatsConnection;
    let before: number[];

    beforeAll(async () => {
      reader = await stack.natsAs('events-reader');
      before = await admins();
      expect(before).toEqual([1, 1, 2, 1, 1]);
    });

    it.each(UNDO_SUBJECTS)('a push consumer delivering the events to %s (group %s) erases nothing', async (subject, group) => {
      const jsm = await reader.jetstreamManager({ checkAPI: false });
      await jsm.consumers
        .add(STREAM, { deliver_subject: subject, deliver_group: group, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All })
        .catch(() => undefined);
      await sleep(1_000);
      expect(await admins()).toEqual(before);
      expect(await rootTokenWorks()).toBe(200);
    });

    it.each(UNDO_SUBJECTS)('a pull request answered on %s erases nothing', async (subject) => {
      const jsm = await reader.jetstreamManager({ checkAPI: false });
      const consumer = await jsm.consumers.add(STREAM, { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All, inactive_threshold: 60_000_000_000 }).catch(() => undefined);
      if (consumer !== undefined) {
        reader.publish(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.${consumer.name}`, codec.encode({ batch: 10, expires: 500_000_000 }), { reply: subject });
        await reader.flush();
      }
      await sleep(1_000);
      expect(await admins()).toEqual(before);
    });

    it('an empty no-wait pull answered on a ping subject (a status message there) stops no process', async () => {
      const jsm = await reader.jetstreamManager({ checkAPI: false });
      const consumer = await jsm.consumers.add(STREAM, { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.New, inactive_threshold: 60_000_000_000 }).catch(() => undefined);
      if (consumer !== undefined) {
        for (const subject of [Subjects.organization.ping, Subjects.user.ping, Subjects.identity.ping, Subjects.bootstrap.ping]) {
          reader.publish(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.${consumer.name}`, codec.encode({ batch: 1, no_wait: true }), { reply: subject });
        }
        await reader.flush();
      }
      await sleep(1_000);
      expect(allRunning().filter(([, running]) => !running)).toEqual([]);
    });

    it('leaves the instance whole: the admins, the root token, and a second bootstrap still refused', async () => {
      expect(await admins()).toEqual(before);
      expect(await rootTokenWorks()).toBe(200);
      expect((await bootstrap(stack.gatewayUrl)).status).toBe(400);
      expect(allRunning().filter(([, running]) => !running)).toEqual([]);
    });

    it("delivered nothing into the services' account: no service even saw a message to drop", () => {
      // The stream and its readers are in an account of their own (npm run nats:config): what its
      // consumers deliver stays there. Each service would also drop it (not a request): see below.
      for (const proc of stack.processes) expect([proc.app, proc.logs.includes('Dropped a message')]).toEqual([proc.app, false]);
    });
  });

  describe("the gateway's credentials, making up a caller", () => {
    let gateway: NatsConnection;
    let member: { id: string; token: string };
    let orgId: string;
    let adminIdentityId: string;
    const request = async (subject: string, data: object, correlationId = `req-${randomUUID()}`) => {
      const h = headers();
      h.set('x-correlation-id', correlationId);
      const reply = await gateway.request(subject, codec.encode({ pattern: subject, id: randomUUID(), data }), { timeout: 5_000, headers: h });
      return codec.decode(reply.data) as { response?: any; err?: { code: string } };
    };
    const records = () => count('identity_service.identity_access_tokens');
    const forged = (extra: object = {}) => ({ type: 'identity', id: adminIdentityId, orgId, isInstanceAdmin: true, tokenId: randomUUID(), ...extra });

    beforeAll(async () => {
      gateway = await stack.natsAs('api-gateway');
      orgId = first.body.organization.id;
      adminIdentityId = first.body.identity.id;
      // A real, weak caller: a member identity of the organization, with a token of its own.
      const root = new ApiClient(stack.gatewayUrl, first.body.identity.credentials.token);
      const created = await root.post('/api/v1/identities', { name: 'weak', organizationId: orgId, role: 'member' });
      await root.post(`/api/v1/auth/token-auth/identities/${created.body.identity.id}`, {});
      const minted = await root.post(`/api/v1/auth/token-auth/identities/${created.body.identity.id}/tokens`, {});
      member = { id: created.body.identity.id, token: minted.body.accessToken };
    });

    it.each([
      ['unsigned', () => forged()],
      ['with a made-up proof', () => forged({ correlationId: 'req-x', expiresAt: Math.floor(Date.now() / 1000) + 60, signature: 'A'.repeat(86) })],
    ])('cannot mint a token for the instance-admin identity with a caller %s (the takeover of step 6)', async (_what, caller) => {
      const before = await records();
      const reply = await request(Subjects.identity.createToken, { caller: caller(), identityId: adminIdentityId, name: 'stolen' });
      expect(reply.err?.code).toBe('BUS.CALLER_UNVERIFIED');
      expect(JSON.stringify(reply)).not.toMatch(/eyJ/);
      expect(await records()).toBe(before);
    });

    it.each([
      [Subjects.bootstrap.deleteUser, () => ({ userId: first.body.user.id })],
      [Subjects.bootstrap.revokeIdentityAdmin, () => ({ identityId: adminIdentityId })],
      [Subjects.bootstrap.createIdentity, () => ({ name: 'intruder', organizationId: orgId, role: 'admin' })],
      [Subjects.organization.createProject, () => ({ projectName: 'intruder' })],
      [Subjects.identity.update, () => ({ identityId: member.id, role: 'admin' })],
      [Subjects.user.list, () => ({})],
    ])('cannot make %s act for a made-up instance admin: refused, nothing changed', async (subject, payload) => {
      const before = await admins();
      const projects = await count('organization_service.projects');
      const reply = await request(subject, { caller: forged(), ...payload() });
      expect(reply.err?.code).toBe('BUS.CALLER_UNVERIFIED');
      expect(await admins()).toEqual(before);
      expect(await count('organization_service.projects')).toBe(projects);
    });

    describe('with the principal of a real, weak token it authenticated', () => {
      const correlationId = 'req-borrowed';
      let signed: Record<string, unknown>;

      beforeAll(async () => {
        const reply = await request(Subjects.identity.authenticate, { token: member.token }, correlationId);
        signed = reply.response;
        expect(signed).toMatchObject({ type: 'identity', id: member.id, isInstanceAdmin: false, correlationId, signature: expect.any(String) });
      });

      it('cannot raise it to an instance admin, nor move it to another organization', async () => {
        const before = await records();
        for (const caller of [{ ...signed, isInstanceAdmin: true }, { ...signed, orgId: randomUUID() }, { ...signed, id: adminIdentityId }]) {
          const reply = await request(Subjects.identity.createToken, { caller, identityId: adminIdentityId }, correlationId);
          expect(reply.err?.code).toBe('BUS.CALLER_UNVERIFIED');
        }
        expect(await records()).toBe(before);
      });

      it('cannot use it for another request', async () => {
        const reply = await request(Subjects.identity.get, { caller: signed, identityId: member.id }, 'req-another');
        expect(reply.err?.code).toBe('BUS.CALLER_UNVERIFIED');
      });

      it('gets no more than the weak caller may do within that request (control: a read it may do, a mint it may not)', async () => {
        expect((await request(Subjects.identity.get, { caller: signed, identityId: member.id }, correlationId)).response?.identity).toMatchObject({ id: member.id });
        const mint = await request(Subjects.identity.createToken, { caller: signed, identityId: adminIdentityId }, correlationId);
        expect(mint.err?.code).toBe('IDENTITY.INSTANCE_ADMIN_PROTECTED');
      });
    });
  });

  describe('a responder made to answer on a command subject (a request whose reply subject is a command)', () => {
    it('erases nothing: the reply is no command, and is dropped', async () => {
      // NATS checks a publisher's rights on the subject, not on the reply subject it names, and
      // allow_responses then lets the responder publish there once (tried on nats-server 2.9.10).
      const gateway = await stack.natsAs('api-gateway');
      const before = await admins();
      for (const [subject] of UNDO_SUBJECTS) {
        const sagaId = (await stack.db.query<{ id: string }>('SELECT id FROM saga_orchestrator.sagas LIMIT 1'))[0].id;
        gateway.publish(Subjects.identity.ping, codec.encode({ pattern: Subjects.identity.ping, id: randomUUID(), data: { sagaId } }), { reply: subject });
        gateway.publish(Subjects.user.ping, codec.encode({ pattern: Subjects.user.ping, id: randomUUID(), data: {} }), { reply: subject });
      }
      await gateway.flush();
      await sleep(1_000);
      expect(await admins()).toEqual(before);
      expect(stack.app('identity-service')[0].logs).toMatch(/"subject":"identity\.cmd\.undo-create-instance-admin","reason":"no-reply"[^\n]*"msg":"Dropped a message that is not a command"/);
    });
  });
  describe('bytes that are not commands, on every command subject, from users allowed to publish there', () => {
    const sent: Array<Promise<unknown>> = [];

    beforeAll(async () => {
      const bySender = new Map<BusUser, NatsConnection>();
      for (const subject of COMMAND_SUBJECTS) {
        const user = senderOf(subject);
        if (!bySender.has(user)) bySender.set(user, await stack.natsAs(user));
        const nc = bySender.get(user)!;
        const request = (data: Uint8Array, options: { headers?: ReturnType<typeof headers> } = {}) =>
          sent.push(nc.request(subject, data, { timeout: 1_500, ...options }).catch(() => undefined));
        request(new Uint8Array(0));
        request(text.encode('not json at all'));
        request(Uint8Array.from([0xff, 0xfe, 0x00, 0x7b]));
        request(text.encode('[1,2,3]'));
        request(text.encode('null'));
        request(codec.encode({ pattern: subject, data: { junk: true } })); // no Nest id: an event, a JetStream delivery
        request(codec.encode({ pattern: subject, id: randomUUID(), data: { junk: true } })); // the wrong shape: refused
        request(codec.encode({ pattern: subject, id: randomUUID(), data: 'a string' }));
        request(codec.encode({ pattern: 'user.cmd.delete', id: randomUUID(), data: {} })); // another subject's packet
        request(new Uint8Array(0), { headers: headers(503, 'No Responders') }); // a NATS status message
        request(text.encode('['.repeat(50_000) + ']'.repeat(50_000)));
        nc.publish(subject, codec.encode({ pattern: subject, id: randomUUID(), data: {} })); // nobody waits for it
      }
      // Megabytes, once per service.
      for (const subject of [Subjects.bootstrap.ping, Subjects.user.login, Subjects.organization.ping, Subjects.identity.authenticate]) {
        const nc = bySender.get(senderOf(subject))!;
        sent.push(nc.request(subject, codec.encode({ pattern: subject, id: randomUUID(), data: { pad: 'x'.repeat(900_000) } }), { timeout: 3_000 }).catch(() => undefined));
      }
      await Promise.all(sent);
    });

    it('leaves every process running', () => {
      expect(allRunning().filter(([, running]) => !running)).toEqual([]);
    });

    it('then bootstraps and answers an authenticated call on the same processes', async () => {
      expect(await rootTokenWorks()).toBe(200);
      await stack.resetInstance();
      first = await bootstrap(stack.gatewayUrl);
      expect(first.status).toBe(200);
      expect(await rootTokenWorks()).toBe(200);
    });

    it('logged the drops (a line each, at most ten a second) and counted every one by reason', async () => {
      for (const proc of stack.processes.filter((p) => p.app !== 'api-gateway')) {
        expect([proc.app, proc.logs.includes('"msg":"Dropped a message that is not a command"')]).toEqual([proc.app, true]);
        const metrics = await (await fetch(`http://127.0.0.1:${proc.healthPort}/metrics`)).text();
        for (const reason of ['not-json', 'not-a-request', 'wrong-subject', 'no-reply', 'too-large']) {
          expect([proc.app, reason, new RegExp(`bus_messages_dropped_total\\{[^}]*reason="${reason}"[^}]*\\} [1-9]`).test(metrics)]).toEqual([proc.app, reason, true]);
        }
      }
    });

    it('never let a handler fail on them (no error line)', () => {
      for (const proc of stack.processes) {
        expect([proc.app, proc.logs.match(/"level":(50|60)[^\n]*/g) ?? []]).toEqual([proc.app, []]);
      }
    });
  });

});
