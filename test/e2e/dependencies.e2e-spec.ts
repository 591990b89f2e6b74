import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy } from 'nats';
import { AppProcess, bootstrap, getJson, ProcessExit, TestPostgresServer, TestStack, waitFor } from '@app/testing';

jest.setTimeout(120_000);

/** How long the system may take to notice a dependency is back and report healthy. */
const RECOVERY_BOUND_MS = 30_000;
/** Long enough for several reconnect attempts (NATS every ~0.5 s, Postgres every 1 s). */
const WAITING_MS = 3_000;

const SERVICES = ['saga-orchestrator', 'user-service', 'organization-service', 'identity-service'] as const;
const ALL_DOWN = Object.fromEntries(SERVICES.map((s) => [s, 'down']));
const CLEAN_EXIT: ProcessExit = { code: null, signal: 'SIGTERM' };

const pidsOf = (processes: AppProcess[]) => processes.map((p) => p.pid);
const exitedOf = (processes: AppProcess[]) => processes.filter((p) => !p.running).map((p) => p.label);

/** /api/health once it answers 503: it answers from a result up to about a second old. */
function healthOnceDown(stack: TestStack) {
  return waitFor('/api/health to answer 503', async () => {
    const health = await getJson(`${stack.gatewayUrl}/api/health`);
    return health.status === 503 ? health : undefined;
  }, { timeoutMs: 5_000, intervalMs: 200 });
}

async function count(stack: TestStack, table: string): Promise<number> {
  return (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
}

/** The subjects of every event in the stream, read by a consumer created now. */
async function streamSubjects(stack: TestStack): Promise<string[]> {
  const nc = await stack.natsAs('events-reader');
  try {
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const info = await jsm.consumers.add('BOOTSTRAP_EVENTS', { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
    const consumer = await nc.jetstream().consumers.get('BOOTSTRAP_EVENTS', info.name);
    const subjects: string[] = [];
    for await (const m of await consumer.fetch({ max_messages: 100, expires: 1_000 })) subjects.push(m.subject);
    return subjects;
  } finally {
    await nc.close();
  }
}

/**
 * Stops `processes` (gracefully: they must exit on their own even with a dependency down), then
 * starts them again without waiting for them to be ready. Resolves once each has logged `waiting`.
 */
async function restartWithout(processes: AppProcess[], waiting: string) {
  const exits = await Promise.all(processes.map((p) => p.stop('SIGTERM', 20_000)));
  const ready = new Set<AppProcess>();
  const starting = processes.map((p) => p.start(120_000).then(() => ready.add(p)));
  await Promise.all(processes.map((p) => p.waitForLog(waiting)));
  return { exits, ready, starting: Promise.all(starting) };
}

describe('NATS stopped and resumed (end to end)', () => {
  let stack: TestStack;
  let pidsBefore: Array<number | undefined>;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_deps_nats', env: { BOOTSTRAP_TIMEOUT_MS: '3000' } });
    // A bootstrap whose events JetStream must keep across the restart; then a fresh instance.
    expect((await bootstrap(stack.gatewayUrl)).status).toBe(200);
    await stack.resetInstance();
    pidsBefore = pidsOf(stack.processes);
    await stack.nats.stop();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('while NATS is down', () => {
    it('answers /api/health 503 with NATS and every service down', async () => {
      const health = await healthOnceDown(stack);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ statusCode: 503, error: 'ServiceUnavailable', dependencies: { nats: 'down', ...ALL_DOWN } });
    });

    it('keeps the gateway up and answering', async () => {
      expect((await getJson(`${stack.gatewayUrl}/api/status`)).status).toBe(200);
      expect(stack.app('api-gateway')[0].running).toBe(true);
    });

    it('answers a bootstrap with 503 in the envelope and writes nothing', async () => {
      const result = await bootstrap(stack.gatewayUrl);
      expect(result.status).toBe(503);
      expect(result.body).toStrictEqual({ reqId: expect.stringMatching(/^req-/), statusCode: 503, message: expect.any(String), error: 'ServiceUnavailable' });
      expect(await count(stack, 'saga_orchestrator.sagas')).toBe(0);
      expect(await count(stack, 'user_service.users')).toBe(0);
      expect(await stack.db.query('SELECT status FROM saga_orchestrator.instance_state')).toEqual([{ status: 'UNINITIALIZED' }]);
    });
  });

  describe('once NATS is back on the same port and store', () => {
    beforeAll(async () => {
      await stack.nats.resume();
    });

    it(`reports every dependency up within ${RECOVERY_BOUND_MS / 1000} s`, async () => {
      await stack.waitHealthy(RECOVERY_BOUND_MS);
    });

    it('has kept every process: none exited, none was restarted', () => {
      expect(exitedOf(stack.processes)).toEqual([]);
      expect(pidsOf(stack.processes)).toEqual(pidsBefore);
    });

    it('bootstraps', async () => {
      expect((await bootstrap(stack.gatewayUrl)).status).toBe(200);
    });

    it('still holds the events published before the restart', async () => {
      const subjects = await streamSubjects(stack);
      expect(subjects.filter((s) => s === 'bootstrap.evt.completed')).toHaveLength(2);
      expect(subjects.filter((s) => s === 'bootstrap.evt.started')).toHaveLength(2);
    });
  });

  describe('services started while NATS is down', () => {
    let restarted: Awaited<ReturnType<typeof restartWithout>>;

    beforeAll(async () => {
      await stack.nats.stop();
      restarted = await restartWithout(stack.processes, '"msg":"Connecting to NATS"');
    });

    it('shut down on their own while NATS was down', () => {
      expect(restarted.exits).toEqual(stack.processes.map(() => CLEAN_EXIT));
    });

    it('wait for it: none exits, no bus service is ready', async () => {
      await sleep(WAITING_MS);
      expect(exitedOf(stack.processes)).toEqual([]);
      expect([...restarted.ready].map((p) => p.app)).toEqual(['api-gateway']);
    });

    it('keep the gateway answering meanwhile: /api/status 200, /api/health 503 naming NATS', async () => {
      expect((await getJson(`${stack.gatewayUrl}/api/status`)).status).toBe(200);
      const health = await getJson(`${stack.gatewayUrl}/api/health`);
      expect(health.status).toBe(503);
      expect(health.body.dependencies).toMatchObject({ nats: 'down', ...ALL_DOWN });
    });

    it('answer a bootstrap at once with 503 while NATS is down, not after a timeout', async () => {
      const result = await bootstrap(stack.gatewayUrl);
      expect(result.status).toBe(503);
      expect(result.body.message).toBe('saga-orchestrator is unavailable; nothing was done, retry later');
    });

    it(`become ready and healthy within ${RECOVERY_BOUND_MS / 1000} s once NATS is up`, async () => {
      await stack.nats.resume();
      await restarted.starting;
      await stack.waitHealthy(RECOVERY_BOUND_MS);
    });
  });
});

describe('Postgres stopped and started again (end to end)', () => {
  let pg: TestPostgresServer;
  let stack: TestStack;
  let pidsBefore: Array<number | undefined>;

  beforeAll(async () => {
    pg = await TestPostgresServer.create();
    stack = await TestStack.start({ name: 'e2e_deps_pg', postgres: pg, env: { BOOTSTRAP_TIMEOUT_MS: '3000' } });
    pidsBefore = pidsOf(stack.processes);
    await pg.stop();
  });

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      await pg?.destroy();
    }
  });

  describe('while Postgres is down', () => {
    it('answers /api/health 503 naming every service, with NATS up', async () => {
      const health = await healthOnceDown(stack);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({
        statusCode: 503,
        message: `Unavailable: ${SERVICES.join(', ')}`,
        dependencies: { nats: 'up', ...ALL_DOWN },
      });
    });

    it('answers a bootstrap with 503 in the envelope', async () => {
      const result = await bootstrap(stack.gatewayUrl);
      expect(result.body).toMatchObject({ statusCode: 503, error: 'ServiceUnavailable' });
      expect(result.status).toBe(503);
    });

    it('keeps every process running', () => {
      expect(exitedOf(stack.processes)).toEqual([]);
    });
  });

  describe('once Postgres is back', () => {
    beforeAll(async () => {
      await pg.start();
    });

    it(`reports every dependency up within ${RECOVERY_BOUND_MS / 1000} s`, async () => {
      await stack.waitHealthy(RECOVERY_BOUND_MS);
    });

    it('has kept every process: none exited, none was restarted', () => {
      expect(exitedOf(stack.processes)).toEqual([]);
      expect(pidsOf(stack.processes)).toEqual(pidsBefore);
    });

    it('bootstraps, and nothing of the failed attempt is left', async () => {
      expect((await bootstrap(stack.gatewayUrl)).status).toBe(200);
      expect(await count(stack, 'user_service.users')).toBe(1);
    });
  });

  describe('services started while Postgres is down', () => {
    let restarted: Awaited<ReturnType<typeof restartWithout>>;
    let busServices: AppProcess[];

    beforeAll(async () => {
      busServices = SERVICES.map((s) => stack.app(s)[0]);
      await pg.stop();
      restarted = await restartWithout(busServices, 'Unable to connect to the database');
    });

    it('shut down on their own while Postgres was down', () => {
      expect(restarted.exits).toEqual(busServices.map(() => CLEAN_EXIT));
    });

    it('wait for it: none exits, none is ready', async () => {
      await sleep(WAITING_MS);
      expect(exitedOf(busServices)).toEqual([]);
      expect(restarted.ready.size).toBe(0);
    });

    it(`become ready and healthy within ${RECOVERY_BOUND_MS / 1000} s once Postgres is up`, async () => {
      await pg.start();
      await restarted.starting;
      await stack.waitHealthy(RECOVERY_BOUND_MS);
    });
  });
});
