import { Controller } from '@nestjs/common';
import { DeleteIdentitySchema, GetIdentitySchema, ReplyOf, Subjects, UpdateIdentitySchema } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { IdentityManagementService } from './identity-management.service';

/** Caller commands on one identity. update and delete pass the privilege-escalation guard first. */
@Controller()
export class IdentityManagementMessageController {
  constructor(private readonly identities: IdentityManagementService) {}

  @MessagePattern(Subjects.identity.get)
  async get(
    @Payload(new PayloadPipe(GetIdentitySchema)) cmd: z.infer<typeof GetIdentitySchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.get>> {
    return { identity: await this.identities.get(cmd.caller, cmd.identityId) };
  }

  @MessagePattern(Subjects.identity.update)
  async update(
    @Payload(new PayloadPipe(UpdateIdentitySchema)) cmd: z.infer<typeof UpdateIdentitySchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.update>> {
    return { identity: await this.identities.update(cmd.caller, cmd.identityId, { name: cmd.name, role: cmd.role }) };
  }

  /** Sent by the orchestrator, which serializes admin removals and counts the admins left. */
  @MessagePattern(Subjects.identity.delete)
  async delete(
    @Payload(new PayloadPipe(DeleteIdentitySchema)) cmd: z.infer<typeof DeleteIdentitySchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.delete>> {
    return { identity: await this.identities.delete(cmd.identityId, cmd.lastAdmin) };
  }
}
