import { Controller } from '@nestjs/common';
import { LoginSchema, ReplyOf, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { LoginService } from './login.service';

@Controller()
export class LoginMessageController {
  constructor(private readonly logins: LoginService) {}

  @MessagePattern(Subjects.user.login)
  login(@Payload(new PayloadPipe(LoginSchema)) cmd: z.infer<typeof LoginSchema>): Promise<ReplyOf<typeof Subjects.user.login>> {
    return this.logins.login(cmd.email, cmd.password);
  }
}
