import { Subjects } from '@app/contracts';
import { BusUnavailableError, metrics } from '@app/common';
import { SagaBus, SagaEngine } from './saga-engine';
import { command, newSagaRecord, SagaContext, SagaDefinition, SagaPatch, SagaRecord, SagaStore, step } from './saga.types';

interface Data {
  userId?: string;
  orgId?: string;
}
interface Transient {
  password: string;
  token?: string;
}

/** An in-memory saga table with the same optimistic-locking contract as the Postgres one. */
class MemoryStore implements SagaStore {
  readonly rows = new Map<string, SagaRecord<unknown>>();
  readonly writes: Array<SagaPatch<unknown>> = [];
  stealAfterWrites = Infinity;

  async update<D>(id: string, expectedVersion: number, patch: SagaPatch<D>): Promise<number | null> {
    const row = this.rows.get(id);
    if (row === undefined || row.version !== expectedVersion || this.writes.length >= this.stealAfterWrites) return null;
    this.writes.push(JSON.parse(JSON.stringify(patch)));
    Object.assign(row, JSON.parse(JSON.stringify(patch)), { version: row.version + 1 });
    return row.version;
  }
}

const SAGA_ID = '00000000-0000-4000-8000-000000000001';

function newRecord(store: MemoryStore): SagaRecord<Data> {
  const record = newSagaRecord<Data>(SAGA_ID, 'test', {}, new Date(Date.now() + 60_000));
  store.rows.set(record.id, { ...record });
  return record;
}

function newContext(deadlineAt = new Date(Date.now() + 60_000)): SagaContext<Data, Transient> {
  return {
    sagaId: SAGA_ID,
    correlationId: 'req-test',
    deadlineAt,
    data: {},
    transient: { password: 'correct horse battery staple' },
    remainingMs: () => Math.max(0, deadlineAt.getTime() - Date.now()),
  };
}

class Unavailable extends Error {
  readonly mayHaveRun = false;
}
class TimedOut extends Error {
  readonly mayHaveRun = true;
}

/** A saga of three steps whose replies and failures are scripted per test. */
function scripted(script: { fail?: Record<string, Error>; compensationFailures?: Record<string, number> } = {}) {
  const calls: string[] = [];
  const failures = { ...script.compensationFailures };
  const make = (name: string, reply: object, onReply: (ctx: SagaContext<Data, Transient>, r: any) => void) =>
    step<Data, Transient, object>({
      name,
      invoke: async () => {
        calls.push(`invoke:${name}`);
        const error = script.fail?.[name];
        if (error !== undefined) throw error;
        return reply;
      },
      onReply,
      compensate: async () => {
        calls.push(`compensate:${name}`);
        if ((failures[name] ?? 0) > 0) {
          failures[name] -= 1;
          throw new Unavailable(`${name} compensation unavailable`);
        }
      },
    });
  const definition: SagaDefinition<Data, Transient> = {
    type: 'test',
    label: 'Test',
    steps: [
      make('user', { id: 'u1' }, (ctx, r) => (ctx.data.userId = r.id)),
      make('organization', { id: 'o1' }, (ctx, r) => (ctx.data.orgId = r.id)),
      make('identity', { token: 'secret.jwt.token' }, (ctx, r) => (ctx.transient.token = r.token)),
    ],
  };
  return { definition, calls };
}

const fastRetries = { compensationAttempts: 3, compensationBackoffMs: 10, sleep: async () => undefined };

describe(SagaEngine.name, () => {
  it('runs every step in order and completes, with one timing per step', async () => {
    const store = new MemoryStore();
    const { definition, calls } = scripted();
    const ctx = newContext();
    const outcome = await new SagaEngine(store, fastRetries).run(definition, newRecord(store), ctx);

    expect(outcome.state).toBe('COMPLETED');
    expect(calls).toEqual(['invoke:user', 'invoke:organization', 'invoke:identity']);
    expect(outcome.timings.map((t) => t.name)).toEqual(['user', 'organization', 'identity']);
    expect(store.rows.get(SAGA_ID)?.state).toBe('COMPLETED');
  });

  it('observes each step\'s duration by saga, step and outcome', async () => {
    metrics.sagaStepDuration.reset();
    const store = new MemoryStore();
    const { definition } = scripted({ fail: { organization: new Unavailable('organization-service is down') } });
    await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

    const counts = (await metrics.sagaStepDuration.get()).values.filter((v) => v.metricName === 'saga_step_duration_seconds_count');
    expect(counts.map((v) => ({ ...v.labels, count: v.value }))).toEqual([
      { saga: 'test', step: 'user', outcome: 'ok', count: 1 },
      { saga: 'test', step: 'organization', outcome: 'error', count: 1 },
    ]);
  });

  it('persists the row before and after every step, one write between two steps', async () => {
    const store = new MemoryStore();
    const { definition } = scripted();
    await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

    expect(store.writes).toEqual([
      { state: 'RUNNING', currentStep: 'user', runningSteps: ['user'] },
      { completedSteps: ['user'], data: { userId: 'u1' }, currentStep: 'organization', runningSteps: ['organization'] },
      { completedSteps: ['user', 'organization'], data: { userId: 'u1', orgId: 'o1' }, currentStep: 'identity', runningSteps: ['identity'] },
      { completedSteps: ['user', 'organization', 'identity'], data: { userId: 'u1', orgId: 'o1' }, state: 'COMPLETED', currentStep: null, runningSteps: [] },
    ]);
  });

  it('tells an observer which step starts, before it runs', async () => {
    const store = new MemoryStore();
    const { definition, calls } = scripted();
    const seen: string[] = [];
    await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext(), {
      onStep: (name) => seen.push(`${name} after ${calls.length} calls`),
    });

    expect(seen).toEqual(['user after 0 calls', 'organization after 1 calls', 'identity after 2 calls']);
  });

  it('keeps transient values (password, token) in memory and never writes them', async () => {
    const store = new MemoryStore();
    const { definition } = scripted();
    const ctx = newContext();
    await new SagaEngine(store, fastRetries).run(definition, newRecord(store), ctx);

    expect(ctx.transient.token).toBe('secret.jwt.token');
    const written = JSON.stringify(store.writes);
    expect(written).not.toContain('secret.jwt.token');
    expect(written).not.toContain('correct horse battery staple');
  });

  it('compensates finished steps in reverse order when a step fails, skipping a step that did not run', async () => {
    const store = new MemoryStore();
    const { definition, calls } = scripted({ fail: { identity: new BusUnavailableError(Subjects.identity.createInstanceAdmin) } });
    const outcome = await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

    expect(outcome).toMatchObject({ state: 'COMPENSATED', failedStep: 'identity', reason: "step 'identity': identity-service unavailable" });
    expect(calls).toEqual([
      'invoke:user',
      'invoke:organization',
      'invoke:identity',
      'compensate:organization',
      'compensate:user',
    ]);
    expect(store.rows.get(SAGA_ID)).toMatchObject({
      state: 'COMPENSATED',
      failedStep: 'identity',
      compensatedSteps: ['organization', 'user'],
    });
  });

  it("records a fixed reason, never the error's own message", async () => {
    const store = new MemoryStore();
    const leaky = new Error('connect ECONNREFUSED 10.1.2.3:5432 while running INSERT INTO users VALUES ($argon2id$…)');
    const { definition } = scripted({ fail: { organization: leaky } });
    const outcome = await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

    expect(outcome).toMatchObject({ state: 'COMPENSATED', failedStep: 'organization', reason: "step 'organization' failed", error: leaky });
    expect(store.rows.get(SAGA_ID)?.error).toBe("step 'organization' failed");
    expect(JSON.stringify(store.writes)).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|INSERT|argon2/);
  });

  it('also compensates a failed step that may have run (a timeout)', async () => {
    const store = new MemoryStore();
    const { definition, calls } = scripted({ fail: { organization: new TimedOut('no reply in time') } });
    await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

    expect(calls).toEqual(['invoke:user', 'invoke:organization', 'compensate:organization', 'compensate:user']);
  });

  it('retries a failing compensation with backoff until it succeeds', async () => {
    const store = new MemoryStore();
    const delays: number[] = [];
    const { definition, calls } = scripted({
      fail: { identity: new Unavailable('down') },
      compensationFailures: { organization: 2 },
    });
    const engine = new SagaEngine(store, { ...fastRetries, sleep: async (ms) => delays.push(ms) });
    const outcome = await engine.run(definition, newRecord(store), newContext());

    expect(outcome.state).toBe('COMPENSATED');
    expect(calls.filter((c) => c === 'compensate:organization')).toHaveLength(3);
    expect(delays).toEqual([10, 20]);
  });

  it('marks the saga COMPENSATION_FAILED when a compensation keeps failing, and stops there', async () => {
    const store = new MemoryStore();
    const { definition, calls } = scripted({
      fail: { identity: new Unavailable('down') },
      compensationFailures: { organization: 99 },
    });
    const outcome = await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

    expect(outcome).toMatchObject({ state: 'COMPENSATION_FAILED', failedStep: 'identity' });
    expect(calls).not.toContain('compensate:user');
    expect(store.rows.get(SAGA_ID)).toMatchObject({ state: 'COMPENSATION_FAILED', compensatedSteps: [] });
  });

  it('resumes an abandoned compensation where it stopped', async () => {
    const store = new MemoryStore();
    const { definition, calls } = scripted();
    const record = newRecord(store);
    const abandoned = { ...record, state: 'COMPENSATION_FAILED' as const, toCompensate: ['user', 'organization'], compensatedSteps: ['organization'] };
    store.rows.set(SAGA_ID, { ...abandoned });

    const state = await new SagaEngine(store, fastRetries).compensate(definition, abandoned, newContext());

    expect(state).toBe('COMPENSATED');
    expect(calls).toEqual(['compensate:user']);
  });

  it('fails the next step without running it once the deadline has passed', async () => {
    const store = new MemoryStore();
    const { definition, calls } = scripted();
    const outcome = await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext(new Date(0)));

    expect(outcome).toMatchObject({ state: 'COMPENSATED', failedStep: 'user', reason: "step 'user' timed out" });
    expect(calls).toEqual([]);
  });

  it('stops without touching anything more when another orchestrator took the saga over', async () => {
    const store = new MemoryStore();
    store.stealAfterWrites = 1;
    const { definition, calls } = scripted();
    const outcome = await new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

    expect(outcome.state).toBe('TAKEN_OVER');
    expect(calls).toEqual(['invoke:user']);
  });
});

describe(`${SagaEngine.name} with command steps`, () => {
  /** A bus that answers each subject from a script and records what was sent. */
  function scriptedBus(replies: Record<string, () => unknown>) {
    const sent: Array<{ subject: string; payload: unknown; options: any }> = [];
    const bus: SagaBus = {
      send: async (subject, payload, options) => {
        sent.push({ subject, payload, options });
        return replies[subject]?.() as never;
      },
    };
    return { bus, sent };
  }

  const definition: SagaDefinition<Data, Transient> = {
    type: 'test',
    label: 'Test',
    steps: [
      command({
        name: 'user',
        command: Subjects.user.createAdmin,
        payload: (ctx) => ({ sagaId: ctx.sagaId, userId: SAGA_ID, email: 'a@example.com', password: ctx.transient.password }),
        onReply: (ctx, reply) => (ctx.data.userId = reply.user.id),
        undo: Subjects.user.undoCreateAdmin,
      }),
      command({
        name: 'organization',
        command: Subjects.organization.create,
        payload: (ctx) => ({ sagaId: ctx.sagaId, name: 'dog', adminUserId: ctx.data.userId! }),
        undo: Subjects.organization.undoCreate,
      }),
    ],
  };

  it('sends each command with the saga ids, bounded by the step timeout and the time left', async () => {
    const store = new MemoryStore();
    const { bus, sent } = scriptedBus({
      [Subjects.user.createAdmin]: () => ({ user: { id: 'u1' } }),
      [Subjects.organization.create]: () => ({ organization: { id: 'o1' } }),
    });
    const ctx = newContext(new Date(Date.now() + 3_000));
    const outcome = await new SagaEngine(store, { ...fastRetries, bus, stepTimeoutMs: 5_000 }).run(definition, newRecord(store), ctx);

    expect(outcome.state).toBe('COMPLETED');
    expect(ctx.data.userId).toBe('u1');
    expect(sent.map((s) => s.subject)).toEqual([Subjects.user.createAdmin, Subjects.organization.create]);
    expect(sent[1].payload).toEqual({ sagaId: SAGA_ID, name: 'dog', adminUserId: 'u1' });
    for (const { options } of sent) {
      expect(options).toMatchObject({ correlationId: 'req-test', causationId: SAGA_ID });
      expect(options.timeoutMs).toBeGreaterThan(2_000);
      expect(options.timeoutMs).toBeLessThanOrEqual(3_000);
    }
  });

  it('undoes with the saga id alone and the compensation timeout, and keeps what made the step fail', async () => {
    const store = new MemoryStore();
    const refusal = new Unavailable('organization refused');
    const { bus, sent } = scriptedBus({
      [Subjects.user.createAdmin]: () => ({ user: { id: 'u1' } }),
      [Subjects.organization.create]: () => {
        throw refusal;
      },
    });
    const engine = new SagaEngine(store, { ...fastRetries, bus, compensationTimeoutMs: 1_234 });
    const outcome = await engine.run(definition, newRecord(store), newContext());

    expect(outcome).toMatchObject({ state: 'COMPENSATED', failedStep: 'organization', error: refusal });
    expect(sent[2]).toEqual({
      subject: Subjects.user.undoCreateAdmin,
      payload: { sagaId: SAGA_ID },
      options: { timeoutMs: 1_234, correlationId: 'req-test', causationId: SAGA_ID },
    });
    expect(sent).toHaveLength(3);
  });

  describe('independent steps', () => {
    /** user and organization need nothing; link needs both; each step ends when the test says. */
    function diamond() {
      const calls: string[] = [];
      const gates = new Map<string, { resolve: (v: object) => void; reject: (e: Error) => void }>();
      const make = (name: string, after?: string[]) =>
        step<Data, Transient, object>({
          name,
          ...(after === undefined ? {} : { after }),
          invoke: () => {
            calls.push(`invoke:${name}`);
            return new Promise<object>((resolve, reject) => gates.set(name, { resolve, reject }));
          },
          compensate: async () => {
            calls.push(`compensate:${name}`);
          },
        });
      const definition: SagaDefinition<Data, Transient> = {
        type: 'test',
        label: 'Test',
        steps: [make('user', []), make('organization', []), make('link', ['user', 'organization'])],
      };
      const settle = async (name: string, error?: Error) => {
        await waitUntil(() => gates.has(name));
        if (error === undefined) gates.get(name)!.resolve({});
        else gates.get(name)!.reject(error);
      };
      return { definition, calls, settle };
    }
    const waitUntil = async (ready: () => boolean) => {
      for (let i = 0; i < 100 && !ready(); i += 1) await new Promise((resolve) => setImmediate(resolve));
      if (!ready()) throw new Error('the engine never got there');
    };

    it('start together once the row names them both, and a step waits for all it comes after', async () => {
      const store = new MemoryStore();
      const { definition, calls, settle } = diamond();
      const run = new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

      await waitUntil(() => calls.length === 2);
      expect(calls).toEqual(['invoke:user', 'invoke:organization']);
      expect(store.writes).toEqual([{ state: 'RUNNING', currentStep: 'organization', runningSteps: ['user', 'organization'] }]);
      await settle('organization');
      await waitUntil(() => store.writes.length === 2);
      expect(calls).toEqual(['invoke:user', 'invoke:organization']);
      expect(store.writes[1]).toMatchObject({ completedSteps: ['organization'], runningSteps: ['user'] });
      await settle('user');
      await settle('link');

      const outcome = await run;
      expect(outcome.state).toBe('COMPLETED');
      expect(outcome.timings.map((t) => t.name)).toEqual(['user', 'organization', 'link']);
      expect(store.rows.get(SAGA_ID)).toMatchObject({ state: 'COMPLETED', completedSteps: ['organization', 'user', 'link'] });
    });

    it('on a failure, wait for the steps still running, start nothing new, and undo in reverse order of completion', async () => {
      const store = new MemoryStore();
      const { definition, calls, settle } = diamond();
      const run = new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

      await settle('user', new Unavailable('user-service said no'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls).toEqual(['invoke:user', 'invoke:organization']);
      await settle('organization');

      const outcome = await run;
      expect(outcome).toMatchObject({ state: 'COMPENSATED', failedStep: 'user' });
      expect(calls).toEqual(['invoke:user', 'invoke:organization', 'compensate:organization']);
    });

    it('undo a failed step that may have run after the ones that completed', async () => {
      const store = new MemoryStore();
      const { definition, calls, settle } = diamond();
      const run = new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext());

      await settle('user', new TimedOut('no reply in time'));
      await settle('organization');

      expect(await run).toMatchObject({ state: 'COMPENSATED', failedStep: 'user' });
      expect(store.rows.get(SAGA_ID)?.toCompensate).toEqual(['organization', 'user']);
      expect(calls.slice(2)).toEqual(['compensate:user', 'compensate:organization']);
    });

    it('refuse a definition whose step comes after a step not declared before it', async () => {
      const store = new MemoryStore();
      const definition: SagaDefinition<Data, Transient> = {
        type: 'test',
        label: 'Test',
        steps: [step({ name: 'a', after: ['b'], invoke: async () => ({}) }), step({ name: 'b', invoke: async () => ({}) })],
      };
      await expect(new SagaEngine(store, fastRetries).run(definition, newRecord(store), newContext())).rejects.toThrow(
        "step 'a' comes after steps not declared before it: b",
      );
    });
  });
});
