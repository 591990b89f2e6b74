import { Controller } from '@nestjs/common';
import {
  AddIdentityMembershipSchema,
  CompensateSchema,
  CreateOrganizationSchema,
  ReplyOf,
  Subjects,
} from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { OrganizationsService } from './organizations.service';

@Controller()
export class OrganizationsMessageController {
  constructor(private readonly organizations: OrganizationsService) {}

  @MessagePattern(Subjects.organization.create)
  async create(
    @Payload(new PayloadPipe(CreateOrganizationSchema)) cmd: z.infer<typeof CreateOrganizationSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.create>> {
    return { organization: await this.organizations.createWithAdmin(cmd.sagaId, cmd.name, cmd.adminUserId) };
  }

  @MessagePattern(Subjects.organization.undoCreate)
  undoCreate(
    @Payload(new PayloadPipe(CompensateSchema)) cmd: z.infer<typeof CompensateSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.undoCreate>> {
    return this.organizations.deleteForSaga(cmd.sagaId);
  }

  @MessagePattern(Subjects.organization.addIdentityMembership)
  async addIdentityMembership(
    @Payload(new PayloadPipe(AddIdentityMembershipSchema)) cmd: z.infer<typeof AddIdentityMembershipSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.addIdentityMembership>> {
    const membershipId = await this.organizations.addIdentityMembership(cmd.sagaId, cmd.organizationId, cmd.identityId, {
      caller: cmd.caller,
      role: cmd.role,
    });
    return { membershipId };
  }

  @MessagePattern(Subjects.organization.undoAddIdentityMembership)
  undoAddIdentityMembership(
    @Payload(new PayloadPipe(CompensateSchema)) cmd: z.infer<typeof CompensateSchema>,
  ): Promise<ReplyOf<typeof Subjects.organization.undoAddIdentityMembership>> {
    return this.organizations.removeIdentityMembershipsForSaga(cmd.sagaId);
  }
}
