import { Controller } from '@nestjs/common';
import { GetMemberRoleSchema, RemoveMemberSchema, ReplyOf, SetIdentityRoleSchema, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { MembershipsService } from './memberships.service';

@Controller()
export class MembershipsMessageController {
  constructor(private readonly memberships: MembershipsService) {}

  @MessagePattern(Subjects.organization.getMemberRole)
  async getMemberRole(
    @Payload(new PayloadPipe(GetMemberRoleSchema)) cmd: z.infer<typeof GetMemberRoleSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.getMemberRole>> {
    return { role: await this.memberships.roleOf(cmd.organizationId, cmd.member) };
  }

  @MessagePattern(Subjects.organization.setIdentityRole)
  async setIdentityRole(
    @Payload(new PayloadPipe(SetIdentityRoleSchema)) cmd: z.infer<typeof SetIdentityRoleSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.setIdentityRole>> {
    return { role: await this.memberships.setIdentityRole(cmd.caller, cmd.organizationId, cmd.identityId, cmd.role) };
  }

  @MessagePattern(Subjects.organization.removeMember)
  removeMember(
    @Payload(new PayloadPipe(RemoveMemberSchema)) cmd: z.infer<typeof RemoveMemberSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.removeMember>> {
    return this.memberships.removeMember(cmd.member);
  }
}
