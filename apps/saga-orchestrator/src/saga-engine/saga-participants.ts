import { ServiceName, ServiceNames, serviceOfSubject, Subjects } from '@app/contracts';
import { BusClient, COMPENSATION_TIMEOUT_MS } from '@app/common';
import { SagaDefinition } from './saga.types';

/** Each participant's finish-saga command (see FinishSagaSchema). */
const FINISH_SAGA: Partial<Record<ServiceName, string>> = {
  [ServiceNames.user]: Subjects.user.finishSaga,
  [ServiceNames.organization]: Subjects.organization.finishSaga,
  [ServiceNames.identity]: Subjects.identity.finishSaga,
};

/** The finish-saga commands of the services a saga's command steps go to, in the order of their first step. */
export function finishSubjectsOf(definition: SagaDefinition<unknown, unknown>): string[] {
  const services = definition.steps.flatMap((s) => ('command' in s ? [serviceOfSubject(s.command)] : []));
  return [...new Set(services)].flatMap((service) => {
    const subject = service === undefined ? undefined : FINISH_SAGA[service];
    return subject === undefined ? [] : [subject];
  });
}

/**
 * Tells every participant of a completed saga that it finished, all at once: from then on each
 * refuses the saga's steps and compensations (SAGA.FINISHED). Rejects when any cannot be told;
 * every part is idempotent, so the caller (a handler's finish, retried by the outbox) simply tries again.
 */
export async function tellParticipantsFinished(
  bus: BusClient,
  definition: SagaDefinition<unknown, unknown>,
  saga: { id: string; correlationId: string },
): Promise<void> {
  const options = { timeoutMs: COMPENSATION_TIMEOUT_MS, correlationId: saga.correlationId, causationId: saga.id };
  const subjects = finishSubjectsOf(definition) as Array<typeof Subjects.identity.finishSaga>;
  await Promise.all(subjects.map((subject) => bus.send(subject, { sagaId: saga.id }, options)));
}
