import { randomUUID } from 'node:crypto';
import { useServiceDatabase } from '@app/testing';
import { orchestratorDatabase } from '../src/orchestrator.database';
import { SagaEngine } from '../src/saga-engine/saga-engine';
import { SagaHandler, SagaRegistry } from '../src/saga-engine/saga-handler';
import { SagaSweeper } from '../src/saga-engine/saga-sweeper';
import { SagaEntity } from '../src/saga-engine/saga.entity';
import { SagaContext, SagaDefinition, SagaState } from '../src/saga-engine/saga.types';
import { TypeormSagaStore } from '../src/saga-engine/typeorm-saga.store';

const database = useServiceDatabase('int_sweeper', orchestratorDatabase);

beforeEach(async () => {
  await database.db.query('DELETE FROM saga_orchestrator.sagas');
});

/** A scripted saga type: compensations record their calls and fail while told to. */
class ScriptedHandler implements SagaHandler {
  readonly compensations: string[] = [];
  readonly finished: Array<{ id: string; state: SagaState }> = [];
  readonly committed = new Set<string>();
  failing = new Set<string>();
  readonly definition: SagaDefinition<object, object> = {
    type: 'scripted',
    label: 'Scripted',
    steps: ['a', 'b', 'c'].map((name) => ({
      name,
      invoke: async () => ({}),
      compensate: async (ctx: SagaContext<object, object>) => {
        if (this.failing.has(name)) throw Object.assign(new Error(`${name} is down`), { mayHaveRun: false });
        this.compensations.push(`${ctx.sagaId}:${name}`);
      },
    })),
  };

  async isCommitted(_m: unknown, sagaId: string): Promise<boolean> {
    return this.committed.has(sagaId);
  }

  async finish(saga: SagaEntity): Promise<boolean> {
    this.finished.push({ id: saga.id, state: saga.state });
    return true;
  }
}

const TIMING = { intervalMs: 10, staleAfterMs: 1_000, maxRetryDelayS: 60 };
const fastEngine = (store: TypeormSagaStore) =>
  new SagaEngine(store, { compensationAttempts: 2, compensationBackoffMs: 1, sleep: async () => undefined });

function newSweeper(handler: ScriptedHandler): SagaSweeper {
  const registry = new SagaRegistry();
  registry.register(handler);
  const store = new TypeormSagaStore(database.dataSource);
  return new SagaSweeper(database.dataSource, fastEngine(store), registry, store, TIMING);
}

/** Inserts a saga row as a runner would have left it, `ageS` seconds after its last write. */
async function insertSaga(fields: Partial<SagaEntity>, { ageS = 60, deadlineAgoS = 60 } = {}): Promise<string> {
  const id = randomUUID();
  await database.dataSource.getRepository(SagaEntity).insert({
    id,
    type: 'scripted',
    state: 'RUNNING',
    correlationId: `req-${id}`,
    deadlineAt: new Date(Date.now() - deadlineAgoS * 1000),
    data: {},
    ...fields,
  });
  await database.db.query(`UPDATE saga_orchestrator.sagas SET updated_at = now() - $2 * interval '1 second' WHERE id = $1`, [id, ageS]);
  return id;
}

const row = (id: string) => database.dataSource.getRepository(SagaEntity).findOneByOrFail({ id });

describe(SagaSweeper.name, () => {
  it('rolls back every step that was running side by side when its runner died, after those it completed', async () => {
    const handler = new ScriptedHandler();
    const id = await insertSaga({ completedSteps: ['a'], runningSteps: ['b', 'c'], currentStep: 'c' });

    expect(await newSweeper(handler).sweepOnce()).toBe(1);

    expect(handler.compensations).toEqual([`${id}:c`, `${id}:b`, `${id}:a`]);
    expect(await row(id)).toMatchObject({ state: 'COMPENSATED', toCompensate: ['a', 'b', 'c'] });
  });

  it('rolls back a saga whose runner died mid-step: the current step too, in reverse order (a row from before running_steps)', async () => {
    const handler = new ScriptedHandler();
    const id = await insertSaga({ completedSteps: ['a', 'b'], currentStep: 'c' });

    expect(await newSweeper(handler).sweepOnce()).toBe(1);

    expect(handler.compensations).toEqual([`${id}:c`, `${id}:b`, `${id}:a`]);
    expect(handler.finished).toEqual([{ id, state: 'COMPENSATED' }]);
    expect(await row(id)).toMatchObject({
      state: 'COMPENSATED',
      failedStep: 'c',
      error: "step 'c' timed out",
      attempts: 1,
      eventPublishedAt: expect.any(Date),
    });
  });

  it('completes, never undoes, a saga that died after its commit point', async () => {
    const handler = new ScriptedHandler();
    const id = await insertSaga({ completedSteps: ['a', 'b'], currentStep: 'c' });
    handler.committed.add(id);

    await newSweeper(handler).sweepOnce();

    expect(handler.compensations).toEqual([]);
    expect(handler.finished).toEqual([{ id, state: 'COMPLETED' }]);
    expect(await row(id)).toMatchObject({ state: 'COMPLETED' });
  });

  it('leaves a saga alone before its deadline, and while its runner still writes', async () => {
    const handler = new ScriptedHandler();
    const early = await insertSaga({ currentStep: 'a' }, { deadlineAgoS: -60 });
    const busy = await insertSaga({ currentStep: 'a' }, { ageS: 0 });

    expect(await newSweeper(handler).sweepOnce()).toBe(0);

    expect((await row(early)).state).toBe('RUNNING');
    expect((await row(busy)).state).toBe('RUNNING');
  });

  it('resumes a failed rollback where it stopped, once its retry delay has passed', async () => {
    const handler = new ScriptedHandler();
    const id = await insertSaga({
      state: 'COMPENSATION_FAILED',
      toCompensate: ['a', 'b', 'c'],
      compensatedSteps: ['c'],
      failedStep: 'c',
      error: 'c is down',
    });

    await newSweeper(handler).sweepOnce();

    expect(handler.compensations).toEqual([`${id}:b`, `${id}:a`]);
    expect(await row(id)).toMatchObject({ state: 'COMPENSATED', error: 'c is down' });
  });

  it('keeps a rollback that still fails, and backs off before the next try', async () => {
    const handler = new ScriptedHandler();
    handler.failing.add('b');
    const id = await insertSaga({ completedSteps: ['a', 'b'], currentStep: 'c' });
    const sweeper = newSweeper(handler);

    await sweeper.sweepOnce();
    expect(await row(id)).toMatchObject({ state: 'COMPENSATION_FAILED', compensatedSteps: ['c'], attempts: 1 });
    expect(handler.finished).toEqual([]);

    handler.failing.clear();
    expect(await sweeper.sweepOnce()).toBe(0); // just failed: 2 s before the next try
    await database.db.query(`UPDATE saga_orchestrator.sagas SET updated_at = now() - interval '3 seconds' WHERE id = $1`, [id]);
    await sweeper.sweepOnce();
    expect(await row(id)).toMatchObject({ state: 'COMPENSATED', compensatedSteps: ['c', 'b', 'a'], attempts: 2 });
  });

  it('publishes the final event a runner could not publish (the outbox)', async () => {
    const handler = new ScriptedHandler();
    const id = await insertSaga({ state: 'COMPLETED', completedSteps: ['a', 'b', 'c'] });

    await newSweeper(handler).sweepOnce();

    expect(handler.finished).toEqual([{ id, state: 'COMPLETED' }]);
    expect((await row(id)).eventPublishedAt).toEqual(expect.any(Date));
    await newSweeper(handler).sweepOnce();
    expect(handler.finished).toHaveLength(1);
  });

  it('never lets two replicas roll back the same saga', async () => {
    const handler = new ScriptedHandler();
    const ids = await Promise.all(Array.from({ length: 10 }, () => insertSaga({ completedSteps: ['a', 'b', 'c'] })));

    await Promise.all([newSweeper(handler).sweepOnce(), newSweeper(handler).sweepOnce(), newSweeper(handler).sweepOnce()]);

    expect(handler.compensations.sort()).toEqual(ids.flatMap((id) => [`${id}:a`, `${id}:b`, `${id}:c`]).sort());
    expect(handler.finished).toHaveLength(10);
  });
});
