import { randomUUID } from 'node:crypto';
import { useServiceDatabase } from '@app/testing';
import { ClaimLostError, InstanceService, NewSaga } from '../src/instance/instance.service';
import { orchestratorDatabase } from '../src/orchestrator.database';
import { SagaEntity } from '../src/saga-engine/saga.entity';
import { TypeormSagaStore } from '../src/saga-engine/typeorm-saga.store';

const database = useServiceDatabase('int_orchestrator', orchestratorDatabase);

/** The instance is one row: every test starts from a fresh, uninitialized instance and no sagas. */
beforeEach(async () => {
  await database.db.query(`UPDATE saga_orchestrator.instance_state SET status = 'UNINITIALIZED', saga_id = NULL, initialized_at = NULL`);
  await database.db.query('DELETE FROM saga_orchestrator.sagas');
});

function newSaga(data: object = { email: 'admin@example.com' }): NewSaga {
  const id = randomUUID();
  return { id, type: 'bootstrap', correlationId: `req-${id}`, deadlineAt: new Date(Date.now() + 60_000), data };
}

const sagaCount = async () => Number((await database.db.query<{ n: string }>('SELECT count(*) AS n FROM saga_orchestrator.sagas'))[0].n);

describe(InstanceService.name, () => {
  let instance: InstanceService;

  beforeAll(() => {
    instance = new InstanceService(database.dataSource, new TypeormSagaStore(database.dataSource));
  });

  describe('claim', () => {
    it('gives the instance to exactly one of 50 concurrent claims', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => instance.claim(newSaga())));
      expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r === 'in-progress')).toHaveLength(49);
    });

    it('records exactly one saga, the winner’s, under 50 concurrent claims', async () => {
      const sagas = Array.from({ length: 50 }, () => newSaga());
      const results = await Promise.all(sagas.map((s) => instance.claim(s)));
      const winner = sagas[results.indexOf('claimed')];
      const rows = await database.dataSource.getRepository(SagaEntity).find();
      expect(rows.map((r) => r.id)).toEqual([winner.id]);
      expect(rows[0]).toMatchObject({ type: 'bootstrap', state: 'RUNNING', correlationId: winner.correlationId, version: 1 });
    });

    it('answers initialized once the instance is initialized', async () => {
      const saga = newSaga();
      await instance.claim(saga);
      await instance.markInitialized(saga.id);
      await expect(instance.claim(newSaga())).resolves.toBe('initialized');
      expect(await sagaCount()).toBe(1);
    });
  });

  describe('release', () => {
    it('gives the claim back when the holding saga releases it', async () => {
      const saga = newSaga();
      await instance.claim(saga);
      await instance.release(saga.id);
      await expect(instance.claim(newSaga())).resolves.toBe('claimed');
    });

    it('does nothing for a saga that does not hold the claim', async () => {
      await instance.claim(newSaga());
      await instance.release(randomUUID());
      await expect(instance.claim(newSaga())).resolves.toBe('in-progress');
    });

    it('cannot undo an initialized instance', async () => {
      const saga = newSaga();
      await instance.claim(saga);
      await instance.markInitialized(saga.id);
      await instance.release(saga.id);
      await expect(instance.getState()).resolves.toEqual({ initialized: true, bootstrapInProgress: false });
    });
  });

  describe('markInitialized', () => {
    it('throws ClaimLostError when the saga is no longer RUNNING', async () => {
      const saga = newSaga();
      await instance.claim(saga);
      await database.db.query(`UPDATE saga_orchestrator.sagas SET state = 'COMPENSATING' WHERE id = $1`, [saga.id]);
      await expect(instance.markInitialized(saga.id)).rejects.toBeInstanceOf(ClaimLostError);
    });

    it('leaves the instance uninitialized when it throws', async () => {
      const saga = newSaga();
      await instance.claim(saga);
      await database.db.query(`UPDATE saga_orchestrator.sagas SET state = 'COMPENSATING' WHERE id = $1`, [saga.id]);
      await instance.markInitialized(saga.id).catch(() => undefined);
      await expect(instance.getState()).resolves.toEqual({ initialized: false, bootstrapInProgress: true });
    });

    it('throws ClaimLostError when the claim was released and taken by another saga', async () => {
      const lost = newSaga();
      await instance.claim(lost);
      await instance.release(lost.id);
      await instance.claim(newSaga());
      await expect(instance.markInitialized(lost.id)).rejects.toBeInstanceOf(ClaimLostError);
    });
  });

  describe('getState', () => {
    it('reports an unclaimed instance as neither initialized nor in progress', async () => {
      await expect(instance.getState()).resolves.toEqual({ initialized: false, bootstrapInProgress: false });
    });

    it('reports a claimed instance as in progress', async () => {
      await instance.claim(newSaga());
      await expect(instance.getState()).resolves.toEqual({ initialized: false, bootstrapInProgress: true });
    });

    it('reports an initialized instance as initialized', async () => {
      const saga = newSaga();
      await instance.claim(saga);
      await instance.markInitialized(saga.id);
      await expect(instance.getState()).resolves.toEqual({ initialized: true, bootstrapInProgress: false });
    });
  });
});

describe(TypeormSagaStore.name, () => {
  let store: TypeormSagaStore;
  let sagaId: string;

  beforeAll(() => {
    store = new TypeormSagaStore(database.dataSource);
  });

  beforeEach(async () => {
    const saga = newSaga({ email: 'admin@example.com', organizationName: 'dog' });
    await new InstanceService(database.dataSource, new TypeormSagaStore(database.dataSource)).claim(saga);
    sagaId = saga.id;
  });

  const row = () => database.dataSource.getRepository(SagaEntity).findOneByOrFail({ id: sagaId });

  it('applies the patch and returns the bumped version', async () => {
    await expect(store.update(sagaId, 1, { currentStep: 'user' })).resolves.toBe(2);
    await expect(row()).resolves.toMatchObject({ currentStep: 'user', version: 2 });
  });

  it('returns null and changes nothing when the version is stale', async () => {
    await store.update(sagaId, 1, { currentStep: 'user' });
    await expect(store.update(sagaId, 1, { currentStep: 'organization', state: 'COMPENSATING' })).resolves.toBeNull();
    await expect(row()).resolves.toMatchObject({ currentStep: 'user', state: 'RUNNING', version: 2 });
  });

  it('returns null for an unknown saga', async () => {
    await expect(store.update(randomUUID(), 1, { currentStep: 'user' })).resolves.toBeNull();
  });

  it('round-trips the jsonb step lists', async () => {
    await store.update(sagaId, 1, {
      completedSteps: ['user', 'organization'],
      toCompensate: ['organization', 'user'],
      compensatedSteps: [],
    });
    await expect(row()).resolves.toMatchObject({
      completedSteps: ['user', 'organization'],
      toCompensate: ['organization', 'user'],
      compensatedSteps: [],
    });
  });

  it('round-trips jsonb data with nested objects and arrays', async () => {
    const data = { email: 'admin@example.com', userId: randomUUID(), nested: { list: [1, 'two', { three: true }], none: null } };
    await store.update(sagaId, 1, { data });
    expect((await row()).data).toStrictEqual(data);
  });

  it('stores a jsonb array as an array, not as a string', async () => {
    await store.update(sagaId, 1, { completedSteps: ['user'] });
    const [stored] = await database.db.query<{ kind: string }>(
      'SELECT jsonb_typeof(completed_steps) AS kind FROM saga_orchestrator.sagas WHERE id = $1',
      [sagaId],
    );
    expect(stored.kind).toBe('array');
  });

  it('clears nullable columns set to null', async () => {
    await store.update(sagaId, 1, { failedStep: 'identity', error: 'timed out' });
    await store.update(sagaId, 2, { failedStep: null, error: null });
    await expect(row()).resolves.toMatchObject({ failedStep: null, error: null, version: 3 });
  });
});
