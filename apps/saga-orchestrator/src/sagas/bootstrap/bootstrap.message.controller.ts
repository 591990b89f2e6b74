import { Controller } from '@nestjs/common';
import { BootstrapStartSchema, ReplyOf, Subjects } from '@app/contracts';
import { currentCorrelationId, PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { BootstrapService } from './bootstrap.service';

@Controller()
export class BootstrapMessageController {
  constructor(private readonly bootstrap: BootstrapService) {}

  @MessagePattern(Subjects.bootstrap.start)
  start(
    @Payload(new PayloadPipe(BootstrapStartSchema)) cmd: z.infer<typeof BootstrapStartSchema>,
  ): Promise<ReplyOf<typeof Subjects.bootstrap.start>> {
    return this.bootstrap.start(cmd, currentCorrelationId() ?? 'unknown');
  }

  @MessagePattern(Subjects.bootstrap.getState)
  getState(): Promise<ReplyOf<typeof Subjects.bootstrap.getState>> {
    return this.bootstrap.getState();
  }
}
