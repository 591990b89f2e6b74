import { Controller } from '@nestjs/common';
import { ReplyOf, StartCreateIdentitySchema, Subjects } from '@app/contracts';
import { currentCorrelationId, PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { CreateIdentityService } from './create-identity.service';

@Controller()
export class CreateIdentityMessageController {
  constructor(private readonly identities: CreateIdentityService) {}

  @MessagePattern(Subjects.bootstrap.createIdentity)
  create(
    @Payload(new PayloadPipe(StartCreateIdentitySchema)) cmd: z.infer<typeof StartCreateIdentitySchema>,
  ): Promise<ReplyOf<typeof Subjects.bootstrap.createIdentity>> {
    return this.identities.create(cmd, currentCorrelationId() ?? 'unknown');
  }
}
