import { Controller, Type } from '@nestjs/common';
import { Empty, FinishSagaSchema } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { finishSaga } from '../saga-guard';

/**
 * A participant's `<service>.cmd.finish-saga`: the orchestrator's word that the saga completed
 * (sent before anything makes the saga's id public), after which this service refuses every step
 * and every compensation of it (saga-guard.ts). Idempotent.
 */
export function finishSagaController(subject: string): Type<unknown> {
  @Controller()
  class FinishSagaController {
    constructor(private readonly dataSource: DataSource) {}

    @MessagePattern(subject)
    async finish(@Payload(new PayloadPipe(FinishSagaSchema)) cmd: z.infer<typeof FinishSagaSchema>): Promise<Empty> {
      await finishSaga(this.dataSource, cmd.sagaId);
      return {};
    }
  }
  return FinishSagaController;
}
