import { Controller } from '@nestjs/common';
import { LoginSchema, ReplyOf, Subjects, VerifyPasswordSchema } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { LoginService } from './login.service';
import { VerifyPasswordService } from './verify-password.service';

/** Everything that checks a password, behind one lockout. */
@Controller()
export class LoginMessageController {
  constructor(
    private readonly logins: LoginService,
    private readonly passwords: VerifyPasswordService,
  ) {}

  @MessagePattern(Subjects.user.login)
  login(@Payload(new PayloadPipe(LoginSchema)) cmd: z.infer<typeof LoginSchema>): Promise<ReplyOf<typeof Subjects.user.login>> {
    return this.logins.login(cmd.email, cmd.password, cmd.clientAddress);
  }

  /** Wrong password: `valid: false`; locked out: LOGIN.LOCKED (see VerifyPasswordService). */
  @MessagePattern(Subjects.user.verifyPassword)
  async verifyPassword(
    @Payload(new PayloadPipe(VerifyPasswordSchema)) cmd: z.infer<typeof VerifyPasswordSchema>,
  ): Promise<ReplyOf<typeof Subjects.user.verifyPassword>> {
    return { valid: await this.passwords.verify(cmd.userId, cmd.password, cmd.clientAddress) };
  }
}
