import { Controller } from '@nestjs/common';
import { BootstrapStartSchema, CommandMap, Subjects } from '@app/contracts';
import { currentCorrelationId, PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { BootstrapService } from './bootstrap.service';

type Reply<S extends keyof CommandMap> = Promise<CommandMap[S]['reply']>;

@Controller()
export class BootstrapMessageController {
  constructor(private readonly bootstrap: BootstrapService) {}

  @MessagePattern(Subjects.bootstrap.start)
  start(
    @Payload(new PayloadPipe(BootstrapStartSchema)) cmd: z.infer<typeof BootstrapStartSchema>,
  ): Reply<typeof Subjects.bootstrap.start> {
    return this.bootstrap.start(cmd, currentCorrelationId() ?? 'unknown');
  }

  @MessagePattern(Subjects.bootstrap.getState)
  getState(): Reply<typeof Subjects.bootstrap.getState> {
    return this.bootstrap.getState();
  }
}
