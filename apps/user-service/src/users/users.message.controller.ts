import { Controller } from '@nestjs/common';
import { CompensateSchema, CreateAdminUserSchema, ReplyOf, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { UsersService } from './users.service';

@Controller()
export class UsersMessageController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(Subjects.user.createAdmin)
  async createAdmin(
    @Payload(new PayloadPipe(CreateAdminUserSchema)) cmd: z.infer<typeof CreateAdminUserSchema>,
  ): Promise<ReplyOf<typeof Subjects.user.createAdmin>> {
    return { user: await this.users.createAdmin(cmd.sagaId, cmd.userId, cmd.email, cmd.password) };
  }

  @MessagePattern(Subjects.user.undoCreateAdmin)
  undoCreateAdmin(@Payload(new PayloadPipe(CompensateSchema)) cmd: z.infer<typeof CompensateSchema>): Promise<ReplyOf<typeof Subjects.user.undoCreateAdmin>> {
    return this.users.deleteForSaga(cmd.sagaId);
  }
}
