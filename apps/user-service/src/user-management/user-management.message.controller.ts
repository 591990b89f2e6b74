import { Controller } from '@nestjs/common';
import { DeleteUserSchema, EmptySchema, ListUsersSchema, ReplyOf, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { UserManagementService } from './user-management.service';

@Controller()
export class UserManagementMessageController {
  constructor(private readonly management: UserManagementService) {}

  @MessagePattern(Subjects.user.list)
  list(@Payload(new PayloadPipe(ListUsersSchema)) cmd: z.infer<typeof ListUsersSchema>): Promise<ReplyOf<typeof Subjects.user.list>> {
    return this.management.list(cmd.caller, cmd);
  }

  @MessagePattern(Subjects.user.listAdminIds)
  listAdminIds(@Payload(new PayloadPipe(EmptySchema)) _cmd: z.infer<typeof EmptySchema>): Promise<ReplyOf<typeof Subjects.user.listAdminIds>> {
    return this.management.listAdminIds();
  }

  @MessagePattern(Subjects.user.delete)
  delete(@Payload(new PayloadPipe(DeleteUserSchema)) cmd: z.infer<typeof DeleteUserSchema>): Promise<ReplyOf<typeof Subjects.user.delete>> {
    return this.management.delete(cmd.caller, cmd.userId, cmd.lastAdmin);
  }
}
