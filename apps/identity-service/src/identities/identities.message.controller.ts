import { Controller } from '@nestjs/common';
import { CompensateSchema, CreateInstanceAdminIdentitySchema, ReplyOf, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { IdentitiesService } from './identities.service';

@Controller()
export class IdentitiesMessageController {
  constructor(private readonly identities: IdentitiesService) {}

  @MessagePattern(Subjects.identity.createInstanceAdmin)
  createInstanceAdmin(
    @Payload(new PayloadPipe(CreateInstanceAdminIdentitySchema)) cmd: z.infer<typeof CreateInstanceAdminIdentitySchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.createInstanceAdmin>> {
    return this.identities.createInstanceAdmin(cmd.sagaId, cmd.organizationId);
  }

  @MessagePattern(Subjects.identity.undoCreateInstanceAdmin)
  undoCreateInstanceAdmin(
    @Payload(new PayloadPipe(CompensateSchema)) cmd: z.infer<typeof CompensateSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.undoCreateInstanceAdmin>> {
    return this.identities.deleteForSaga(cmd.sagaId);
  }
}
