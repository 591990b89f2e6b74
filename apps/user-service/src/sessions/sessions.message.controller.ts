import { Controller } from '@nestjs/common';
import { AuthenticateUserSchema, ReplyOf, SelectOrganizationSchema, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { SelectOrganizationService } from './select-organization.service';
import { SessionsService } from './sessions.service';

@Controller()
export class SessionsMessageController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly selection: SelectOrganizationService,
  ) {}

  @MessagePattern(Subjects.user.authenticate)
  authenticate(
    @Payload(new PayloadPipe(AuthenticateUserSchema)) cmd: z.infer<typeof AuthenticateUserSchema>,
  ): Promise<ReplyOf<typeof Subjects.user.authenticate>> {
    return this.sessions.authenticate(cmd.token);
  }

  @MessagePattern(Subjects.user.selectOrganization)
  selectOrganization(
    @Payload(new PayloadPipe(SelectOrganizationSchema)) cmd: z.infer<typeof SelectOrganizationSchema>,
  ): Promise<ReplyOf<typeof Subjects.user.selectOrganization>> {
    return this.selection.select(cmd.caller, cmd.organizationId);
  }
}
