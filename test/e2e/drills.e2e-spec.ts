import { performance } from 'node:perf_hooks';
import { AckPolicy, DeliverPolicy, JSONCodec } from 'nats';
import { bootstrap, findSecrets, getJson, SEED_REQUEST, TestStack, waitFor } from '@app/testing';

jest.setTimeout(120_000);

/** A short saga deadline keeps the drills quick; the gateway waits this plus its margin. */
const DEADLINE_MS = 3_000;
const GATEWAY_MARGIN_MS = 5_000;

describe('Fault drills (end to end)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_drills', env: { BOOTSTRAP_TIMEOUT_MS: String(DEADLINE_MS) } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const count = async (table: string) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const leftovers = async () => ({
    users: await count('user_service.users'),
    organizations: await count('organization_service.organizations'),
    memberships: await count('organization_service.org_memberships'),
    identities: await count('identity_service.identities'),
    tokens: await count('identity_service.identity_access_tokens'),
  });
  /** Sagas the drills rolled back, for the event check at the end. */
  const rolledBack: string[] = [];
  const NOTHING = { users: 0, organizations: 0, memberships: 0, identities: 0, tokens: 0 };
  const instanceStatus = async () => (await stack.db.query<{ status: string }>('SELECT status FROM saga_orchestrator.instance_state'))[0].status;
  const currentStep = async () =>
    (await stack.db.query<{ current_step: string | null }>(`SELECT current_step FROM saga_orchestrator.sagas WHERE state = 'RUNNING'`))[0]
      ?.current_step;

  /** The instance is back to "not initialized, nothing left, bootstrappable" within 30 s. */
  const expectCleanWithin30s = async () => {
    await waitFor('the instance to be clean again', async () => ((await instanceStatus()) === 'UNINITIALIZED' ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect(await leftovers()).toEqual(NOTHING);
    expect((await getJson(`${stack.gatewayUrl}/api/v1/admin/config`)).body.config.initialized).toBe(false);
    const sagas = await stack.db.query<{ id: string; state: string }>('SELECT id, state FROM saga_orchestrator.sagas');
    expect(sagas.map((s) => s.state)).toEqual(['COMPENSATED']);
    rolledBack.push(sagas[0].id);
  };

  /** Secrets the drills handled, for the hygiene check at the end. */
  const secrets: Record<string, string> = { password: SEED_REQUEST.password };

  /** Empties the instance again after a drill that ended in a successful bootstrap. */
  const expectBootstrapSucceedsThenReset = async () => {
    const result = await bootstrap(stack.gatewayUrl);
    expect(result.status).toBe(200);
    secrets[`token${Object.keys(secrets).length}`] = result.body.identity.credentials.token;
    const [{ password_hash: hash }] = await stack.db.query<{ password_hash: string }>('SELECT password_hash FROM user_service.users');
    secrets[`hash${Object.keys(secrets).length}`] = hash;
    await stack.resetInstance();
  };

  it('answers 503 by the deadline when a participant stops answering mid-step, and ends clean once it answers again', async () => {
    const [identity] = stack.app('identity-service');
    identity.freeze();
    try {
      const started = performance.now();
      const result = await bootstrap(stack.gatewayUrl);
      const elapsed = performance.now() - started;

      expect(result.status).toBe(503);
      expect(result.body).toMatchObject({ error: 'ServiceUnavailable', message: expect.stringContaining("step 'identity'") });
      expect(elapsed).toBeLessThan(DEADLINE_MS + GATEWAY_MARGIN_MS);
      expect(await instanceStatus()).not.toBe('INITIALIZED');
    } finally {
      identity.thaw();
    }
    // The late create-instance-admin it now processes is compensated (or refused) too.
    await expectCleanWithin30s();
    await expectBootstrapSucceedsThenReset();
  });

  it('recovers from the orchestrator killed mid-saga: rolled back within 30 s of its restart', async () => {
    const [identity] = stack.app('identity-service');
    const [orchestrator] = stack.app('saga-orchestrator');
    identity.freeze();
    const pending = bootstrap(stack.gatewayUrl);
    await waitFor('the saga to reach the identity step', async () => ((await currentStep()) === 'identity' ? true : undefined));
    await orchestrator.kill();
    identity.thaw();

    expect((await pending).status).toBe(503);
    await orchestrator.start();
    await expectCleanWithin30s();
    await expectBootstrapSucceedsThenReset();
  });

  it('keeps a rollback that fails, shows it as degraded, and finishes it once the participant is back', async () => {
    const [identity] = stack.app('identity-service');
    const [organization] = stack.app('organization-service');
    identity.freeze();
    const pending = bootstrap(stack.gatewayUrl);
    await waitFor('the saga to reach the identity step', async () => ((await currentStep()) === 'identity' ? true : undefined));
    // The identity step will time out; its compensation, and the organization's, find nobody.
    await Promise.all([identity.kill(), organization.kill()]);

    const result = await pending;
    expect(result.status).toBe(503);
    expect(result.body.message).toContain("step 'identity'");
    const sagaId = await waitFor('the rollback to be given up for now', async () => {
      const rows = await stack.db.query<{ id: string }>(`SELECT id FROM saga_orchestrator.sagas WHERE state = 'COMPENSATION_FAILED'`);
      return rows[0]?.id;
    });

    await identity.start();
    // Health answers from a result up to about a second old.
    const health = await waitFor('/api/health to show the rollback needing attention', async () => {
      const answer = await getJson(`${stack.gatewayUrl}/api/health`);
      return answer.body.attention !== undefined ? answer : undefined;
    }, { timeoutMs: 5_000, intervalMs: 200 });
    expect(health.body.dependencies['saga-orchestrator']).toBe('degraded');
    // Given up for now, or being retried by a sweep (the organization-service is still down).
    expect(health.body.attention).toEqual([{ sagaId, state: expect.stringMatching(/^COMPENSAT(ION_FAILED|ING)$/), failedStep: 'identity' }]);
    expect((await bootstrap(stack.gatewayUrl)).status).toBe(409);
    expect(await instanceStatus()).toBe('BOOTSTRAPPING');

    await organization.start();
    await expectCleanWithin30s();
    await stack.waitHealthy();
    expect((await getJson(`${stack.gatewayUrl}/api/health`)).body.message).toBe('Ok');
    await expectBootstrapSucceedsThenReset();
  });

  it('published exactly one bootstrap.evt.failed, compensated, for every rolled-back drill', async () => {
    const nc = await stack.natsAs('events-reader');
    try {
      const jsm = await nc.jetstreamManager({ checkAPI: false });
      const { name } = await jsm.consumers.add('BOOTSTRAP_EVENTS', {
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.All,
        filter_subject: 'bootstrap.evt.failed',
      });
      const consumer = await nc.jetstream().consumers.get('BOOTSTRAP_EVENTS', name);
      const failed: any[] = [];
      for await (const m of await consumer.fetch({ max_messages: 20, expires: 1_000 })) failed.push(JSONCodec().decode(m.data));
      expect(rolledBack).toHaveLength(3);
      expect(failed.map((e) => e.sagaId).sort()).toEqual([...rolledBack].sort());
      expect(failed.every((e) => e.compensated === true)).toBe(true);
      // Fixed texts from the step and the kind of failure, never an error's own message.
      const FIXED = /^step '\w+'(?: timed out| refused| failed|: [\w-]+ unavailable)$/;
      expect(failed.map((e) => e.reason).filter((reason) => !FIXED.test(reason))).toEqual([]);
    } finally {
      await nc.close();
    }
  });

  it('left no password, hash or token in the database, any log (at debug) or any stream', async () => {
    const sightings = await findSecrets(stack, secrets);
    expect(Object.keys(sightings)).toHaveLength(7);
    expect(Object.values(sightings).flat()).toEqual([]);
  });
});
