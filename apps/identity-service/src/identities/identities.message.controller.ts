import { Controller } from '@nestjs/common';
import { CompensateSchema, CreateIdentitySchema, CreateInstanceAdminIdentitySchema, ReplyOf, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { IdentitiesService } from './identities.service';

/**
 * Saga steps that create identities (the end of a saga, finish-saga, is finishSagaController's). Not caller commands:
 * see authorization/caller-commands.ts.
 */
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

  @MessagePattern(Subjects.identity.create)
  create(
    @Payload(new PayloadPipe(CreateIdentitySchema)) cmd: z.infer<typeof CreateIdentitySchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.create>> {
    return this.identities.create(cmd.sagaId, cmd.identityId, cmd.name, cmd.organizationId);
  }

  @MessagePattern(Subjects.identity.undoCreate)
  undoCreate(
    @Payload(new PayloadPipe(CompensateSchema)) cmd: z.infer<typeof CompensateSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.undoCreate>> {
    return this.identities.deleteForSaga(cmd.sagaId);
  }
}
