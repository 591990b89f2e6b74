import { AckPolicy, DeliverPolicy, JSONCodec } from 'nats';
import { AppName, bootstrap, getJson, SEED_REQUEST, TestStack } from '@app/testing';

jest.setTimeout(90_000);

/** The saga step each participant serves first. */
const CASES: Array<[AppName, string]> = [
  ['identity-service', 'identity'],
  ['organization-service', 'organization'],
  ['user-service', 'user'],
];

describe('A participant that is down (end to end)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_down' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const count = async (table: string) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  it.each(CASES)('with %s stopped, answers 503 naming the %s step and leaves nothing behind', async (app, step) => {
    const [proc] = stack.app(app);
    await proc.stop('SIGTERM');

    const result = await bootstrap(stack.gatewayUrl);

    expect(result.status).toBe(503);
    expect(result.body).toStrictEqual({
      reqId: expect.stringMatching(/^req-/),
      statusCode: 503,
      message: `Bootstrap failed: step '${step}': ${app} unavailable. Everything it created was rolled back; the same request can be retried.`,
      error: 'ServiceUnavailable',
    });
    expect(await count('user_service.users')).toBe(0);
    expect(await count('organization_service.organizations')).toBe(0);
    expect(await count('organization_service.org_memberships')).toBe(0);
    expect(await count('identity_service.identities')).toBe(0);
    expect((await getJson(`${stack.gatewayUrl}/api/v1/admin/config`)).body.config.initialized).toBe(false);
    expect(await stack.db.query('SELECT status FROM saga_orchestrator.instance_state')).toEqual([{ status: 'UNINITIALIZED' }]);

    await proc.start();
    await stack.waitHealthy();
  });

  it('published one bootstrap.evt.failed per rolled-back attempt, naming the step and, in a fixed text, why', async () => {
    const nc = await stack.natsAs('events-reader');
    try {
      const jsm = await nc.jetstreamManager({ checkAPI: false });
      const info = await jsm.consumers.add('BOOTSTRAP_EVENTS', {
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.All,
        filter_subject: 'bootstrap.evt.failed',
      });
      const consumer = await nc.jetstream().consumers.get('BOOTSTRAP_EVENTS', info.name);
      const failed: any[] = [];
      for await (const m of await consumer.fetch({ max_messages: 10, expires: 1_000 })) failed.push(JSONCodec().decode(m.data));
      expect(failed.map((e) => e.failedStep)).toEqual(CASES.map(([, step]) => step));
      for (const event of failed) {
        expect(event).toStrictEqual({
          eventId: expect.any(String),
          sagaId: expect.any(String),
          occurredAt: expect.any(String),
          failedStep: event.failedStep,
          reason: `step '${event.failedStep}': ${CASES.find(([, step]) => step === event.failedStep)![0]} unavailable`,
          compensated: true,
        });
      }
      const rows = await stack.db.query<{ failed_step: string; error: string }>('SELECT failed_step, error FROM saga_orchestrator.sagas ORDER BY created_at');
      expect(rows).toEqual(CASES.map(([app, step]) => ({ failed_step: step, error: `step '${step}': ${app} unavailable` })));
    } finally {
      await nc.close();
    }
  });

  it('succeeds with the same request once every participant is back', async () => {
    const result = await bootstrap(stack.gatewayUrl);
    expect(result.status).toBe(200);
    expect(result.body.user.email).toBe(SEED_REQUEST.email);
    expect(await count('user_service.users')).toBe(1);
  });
});
