import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SagaEntity } from './saga.entity';
import { SagaDefinition } from './saga.types';

/** What the generic sweeper needs to know about one type of saga. */
export interface SagaHandler<D = any, T = any> {
  definition: SagaDefinition<D, T>;
  /**
   * Called inside the take-over transaction, with the saga row locked: whether the saga already
   * passed its commit point, so that it must be completed rather than compensated.
   */
  isCommitted(manager: EntityManager, sagaId: string): Promise<boolean>;
  /**
   * The side effects of a final state outside the saga itself (release a claim, publish the
   * final public event). Idempotent; answers whether the final event is published.
   */
  finish(saga: SagaEntity): Promise<boolean>;
}

/** The saga types this orchestrator can run, sweep and finish. */
@Injectable()
export class SagaRegistry {
  private readonly handlers = new Map<string, SagaHandler>();

  register(handler: SagaHandler): void {
    this.handlers.set(handler.definition.type, handler);
  }

  get(type: string): SagaHandler | undefined {
    return this.handlers.get(type);
  }
}
