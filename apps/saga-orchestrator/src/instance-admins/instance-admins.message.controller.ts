import { Controller, Logger } from '@nestjs/common';
import { RemoveIdentitySchema, RemoveUserSchema, ReplyOf, Subjects } from '@app/contracts';
import { BusClient, PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { InstanceAdminsService } from './instance-admins.service';

/** Deletions and revocations that may remove an instance admin: serialized and counted here, authorized and done by the owner. */
@Controller()
export class InstanceAdminsMessageController {
  private readonly logger = new Logger(InstanceAdminsMessageController.name);

  constructor(
    private readonly admins: InstanceAdminsService,
    private readonly bus: BusClient,
  ) {}

  @MessagePattern(Subjects.bootstrap.deleteIdentity)
  async deleteIdentity(
    @Payload(new PayloadPipe(RemoveIdentitySchema)) cmd: z.infer<typeof RemoveIdentitySchema>,
  ): Promise<ReplyOf<typeof Subjects.bootstrap.deleteIdentity>> {
    const { caller, identityId } = cmd;
    const reply = await this.admins.removing({ type: 'identity', id: identityId }, (lastAdmin) =>
      this.bus.send(Subjects.identity.delete, { caller, identityId, lastAdmin }),
    );
    await this.removeMemberships({ type: 'identity', id: identityId });
    return reply;
  }

  @MessagePattern(Subjects.bootstrap.deleteUser)
  async deleteUser(
    @Payload(new PayloadPipe(RemoveUserSchema)) cmd: z.infer<typeof RemoveUserSchema>,
  ): Promise<ReplyOf<typeof Subjects.bootstrap.deleteUser>> {
    const { caller, userId } = cmd;
    this.admins.requireInstanceAdmin(caller);
    const reply = await this.admins.removing({ type: 'user', id: userId }, (lastAdmin) =>
      this.bus.send(Subjects.user.delete, { caller, userId, lastAdmin }),
    );
    await this.removeMemberships({ type: 'user', id: userId });
    return reply;
  }

  @MessagePattern(Subjects.bootstrap.revokeIdentityAdmin)
  revokeIdentityAdmin(
    @Payload(new PayloadPipe(RemoveIdentitySchema)) cmd: z.infer<typeof RemoveIdentitySchema>,
  ): Promise<ReplyOf<typeof Subjects.bootstrap.revokeIdentityAdmin>> {
    const { caller, identityId } = cmd;
    this.admins.requireInstanceAdmin(caller);
    return this.admins.removing({ type: 'identity', id: identityId }, (lastAdmin) =>
      this.bus.send(Subjects.identity.revokeInstanceAdmin, { caller, identityId, lastAdmin }),
    );
  }

  /**
   * The deleted principal's memberships go too. Its owner already deleted it, so its tokens
   * are dead whatever happens here; a failure only leaves a membership that nothing can use.
   */
  private async removeMemberships(member: { type: 'user' | 'identity'; id: string }): Promise<void> {
    await this.bus.send(Subjects.organization.removeMember, { member }).catch((error: unknown) => {
      this.logger.warn({ msg: 'Could not remove the memberships of a deleted member', member, err: error });
    });
  }
}
