import { Controller } from '@nestjs/common';
import { CommandMap, CompensateSchema, CreateInstanceAdminIdentitySchema, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { IdentitiesService } from './identities.service';

type Reply<S extends keyof CommandMap> = Promise<CommandMap[S]['reply']>;

@Controller()
export class IdentitiesMessageController {
  constructor(private readonly identities: IdentitiesService) {}

  @MessagePattern(Subjects.identity.createInstanceAdmin)
  createInstanceAdmin(
    @Payload(new PayloadPipe(CreateInstanceAdminIdentitySchema)) cmd: z.infer<typeof CreateInstanceAdminIdentitySchema>,
  ): Reply<typeof Subjects.identity.createInstanceAdmin> {
    return this.identities.createInstanceAdmin(cmd.sagaId, cmd.organizationId);
  }

  @MessagePattern(Subjects.identity.delete)
  delete(
    @Payload(new PayloadPipe(CompensateSchema)) cmd: z.infer<typeof CompensateSchema>,
  ): Reply<typeof Subjects.identity.delete> {
    return this.identities.deleteForSaga(cmd.sagaId);
  }
}
