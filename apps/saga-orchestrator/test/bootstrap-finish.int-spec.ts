import { randomUUID } from 'node:crypto';
import { BusClient, BusUnavailableError } from '@app/common';
import { Subjects } from '@app/contracts';
import { useServiceDatabase } from '@app/testing';
import { BootstrapEventsPublisher } from '../src/events/bootstrap-events.publisher';
import { InstanceService } from '../src/instance/instance.service';
import { orchestratorDatabase } from '../src/orchestrator.database';
import { SagaEngine } from '../src/saga-engine/saga-engine';
import { SagaRegistry } from '../src/saga-engine/saga-handler';
import { SagaSweeper } from '../src/saga-engine/saga-sweeper';
import { SagaEntity } from '../src/saga-engine/saga.entity';
import { TypeormSagaStore } from '../src/saga-engine/typeorm-saga.store';
import { BootstrapSagaHandler } from '../src/sagas/bootstrap/bootstrap.handler';

const database = useServiceDatabase('int_bootstrap_finish', orchestratorDatabase);

/**
 * A completed bootstrap whose finish failed (identity-service could not be told it finished):
 * the sweeper's outbox calls finish again until every participant has been told and the
 * completed event is out — never the event without the finish.
 */
describe('BootstrapSagaHandler.finish, retried by the sweeper outbox', () => {
  const log: string[] = [];
  let identityServiceDown = true;
  const bus = {
    send: async (subject: string, payload: { sagaId: string }) => {
      if (identityServiceDown && subject.startsWith('identity.')) throw new BusUnavailableError(subject);
      log.push(`${subject} ${payload.sagaId}`);
      return {};
    },
  } as unknown as BusClient;
  const events = {
    completed: async (sagaId: string) => {
      log.push(`completed ${sagaId}`);
    },
  } as unknown as BootstrapEventsPublisher;

  function sweeper(): SagaSweeper {
    const registry = new SagaRegistry();
    registry.register(new BootstrapSagaHandler(new InstanceService(database.dataSource, new TypeormSagaStore(database.dataSource)), events, bus));
    const store = new TypeormSagaStore(database.dataSource);
    return new SagaSweeper(database.dataSource, new SagaEngine(store), registry, store, { intervalMs: 10, staleAfterMs: 1_000, maxRetryDelayS: 60 });
  }

  it('tells the participants, then publishes, once identity-service answers again', async () => {
    const id = randomUUID();
    await database.dataSource.getRepository(SagaEntity).insert({
      id,
      type: 'bootstrap',
      state: 'COMPLETED',
      correlationId: `req-${id}`,
      deadlineAt: new Date(Date.now() - 60_000),
      completedSteps: ['user', 'organization', 'identity', 'membership', 'initialize'],
      data: {
        email: 'admin@example.com',
        organizationName: 'dog',
        user: { id: randomUUID(), email: 'admin@example.com', username: 'admin@example.com' },
        organization: { id: randomUUID(), name: 'dog', slug: 'dog-abcd' },
        identity: { id: randomUUID(), name: 'Instance Admin Identity' },
      },
    });
    await database.db.query(`UPDATE saga_orchestrator.sagas SET updated_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    const published = async () => (await database.dataSource.getRepository(SagaEntity).findOneByOrFail({ id })).eventPublishedAt;

    const finishes = [Subjects.user.finishSaga, Subjects.organization.finishSaga].map((s) => `${s} ${id}`);
    await sweeper().sweepOnce();
    expect(log).toEqual(finishes);
    expect(await published()).toBeNull();

    identityServiceDown = false;
    await sweeper().sweepOnce();
    expect(log).toEqual([...finishes, ...finishes, `${Subjects.identity.finishSaga} ${id}`, `completed ${id}`]);
    expect(await published()).toEqual(expect.any(Date));

    await sweeper().sweepOnce();
    expect(log).toHaveLength(6);
  });
});
