import { Controller } from '@nestjs/common';
import { ListIdentitiesSchema, ReplyOf, RevokeInstanceAdminSchema, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { AdminIdentitiesService } from './admin-identities.service';

/** Server-admin commands on identities. */
@Controller()
export class AdminIdentitiesMessageController {
  constructor(private readonly admin: AdminIdentitiesService) {}

  @MessagePattern(Subjects.identity.list)
  list(
    @Payload(new PayloadPipe(ListIdentitiesSchema)) cmd: z.infer<typeof ListIdentitiesSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.list>> {
    return this.admin.list(cmd.caller, cmd.offset, cmd.limit, cmd.searchTerm);
  }

  @MessagePattern(Subjects.identity.listAdminIds)
  async listAdminIds(): Promise<ReplyOf<typeof Subjects.identity.listAdminIds>> {
    return { ids: await this.admin.listAdminIds() };
  }

  /** Sent by the orchestrator, which serializes admin removals; passes the privilege-escalation guard first. */
  @MessagePattern(Subjects.identity.revokeInstanceAdmin)
  async revokeInstanceAdmin(
    @Payload(new PayloadPipe(RevokeInstanceAdminSchema)) cmd: z.infer<typeof RevokeInstanceAdminSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.revokeInstanceAdmin>> {
    return { identity: await this.admin.revokeInstanceAdmin(cmd.caller, cmd.identityId, cmd.lastAdmin) };
  }
}
