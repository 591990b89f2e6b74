import { randomUUID } from 'node:crypto';
import { Subjects } from '@app/contracts';
import { BusClient, BusUnavailableError } from '@app/common';
import { BootstrapEventsPublisher } from '../../events/bootstrap-events.publisher';
import { InstanceService } from '../../instance/instance.service';
import { SagaEntity } from '../../saga-engine/saga.entity';
import { SagaState } from '../../saga-engine/saga.types';
import { BootstrapSagaHandler } from './bootstrap.handler';

/** Records, in order, what finish() does on the bus and in the events; the bus fails while told to. */
class Recorder {
  readonly calls: string[] = [];
  busDown = false;
  eventsDown = false;

  readonly bus = {
    send: async (subject: string, payload: { sagaId: string }) => {
      if (this.busDown) throw new BusUnavailableError(subject);
      this.calls.push(`${subject} ${payload.sagaId}`);
      return {};
    },
  } as unknown as BusClient;

  readonly events = {
    completed: async (sagaId: string) => {
      if (this.eventsDown) throw new Error('JetStream unavailable');
      this.calls.push(`completed ${sagaId}`);
    },
    failed: async (sagaId: string) => {
      this.calls.push(`failed ${sagaId}`);
    },
  } as unknown as BootstrapEventsPublisher;

  readonly instance = {
    release: async (sagaId: string) => {
      this.calls.push(`release ${sagaId}`);
    },
  } as unknown as InstanceService;

  handler(): BootstrapSagaHandler {
    return new BootstrapSagaHandler(this.instance, this.events, this.bus);
  }
}

function saga(state: SagaState): SagaEntity {
  return Object.assign(new SagaEntity(), {
    id: randomUUID(),
    type: 'bootstrap',
    state,
    correlationId: 'req-1',
    failedStep: state === 'COMPENSATED' ? 'identity' : null,
    error: null,
    data: {
      email: 'admin@example.com',
      organizationName: 'dog',
      user: { id: randomUUID(), email: 'admin@example.com', username: 'admin@example.com' },
      organization: { id: randomUUID(), name: 'dog', slug: 'dog-abcd' },
      identity: { id: randomUUID(), name: 'Instance Admin Identity' },
    },
  });
}

/** What finish() tells the participants, in the order the saga's steps name them. */
const told = (sagaId: string) => [Subjects.user.finishSaga, Subjects.organization.finishSaga, Subjects.identity.finishSaga].map((s) => `${s} ${sagaId}`);

describe(BootstrapSagaHandler.name, () => {
  describe('finish', () => {
    it('tells every participant the saga finished before the completed event makes its id public', async () => {
      const r = new Recorder();
      const done = saga('COMPLETED');
      await expect(r.handler().finish(done)).resolves.toBe(true);
      expect(r.calls).toEqual([...told(done.id), `completed ${done.id}`]);
    });

    it('publishes no event and answers false when the participants cannot be told, so the outbox retries', async () => {
      const r = new Recorder();
      r.busDown = true;
      await expect(r.handler().finish(saga('COMPLETED'))).resolves.toBe(false);
      expect(r.calls).toEqual([]);
    });

    it('can be called again after a failure, and then does everything (idempotent parts)', async () => {
      const r = new Recorder();
      const done = saga('COMPLETED');
      r.eventsDown = true;
      await expect(r.handler().finish(done)).resolves.toBe(false);
      r.eventsDown = false;
      await expect(r.handler().finish(done)).resolves.toBe(true);
      expect(r.calls).toEqual([...told(done.id), ...told(done.id), `completed ${done.id}`]);
    });

    it('does not finish a rolled-back saga on the participants (their compensations already refuse it)', async () => {
      const r = new Recorder();
      const undone = saga('COMPENSATED');
      await expect(r.handler().finish(undone)).resolves.toBe(true);
      expect(r.calls).toEqual([`release ${undone.id}`, `failed ${undone.id}`]);
    });
  });
});
