import { Controller } from '@nestjs/common';
import { AuthenticateSchema, ReissueInstanceAdminTokenSchema, ReplyOf, Subjects } from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { AccessTokensService } from './access-tokens.service';

@Controller()
export class AccessTokensMessageController {
  constructor(private readonly tokens: AccessTokensService) {}

  @MessagePattern(Subjects.identity.reissueInstanceAdminToken)
  async reissue(
    @Payload(new PayloadPipe(ReissueInstanceAdminTokenSchema)) cmd: z.infer<typeof ReissueInstanceAdminTokenSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.reissueInstanceAdminToken>> {
    return { accessToken: await this.tokens.reissueInstanceAdminToken(cmd.identityId) };
  }

  @MessagePattern(Subjects.identity.authenticate)
  authenticate(
    @Payload(new PayloadPipe(AuthenticateSchema)) cmd: z.infer<typeof AuthenticateSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.authenticate>> {
    return this.tokens.authenticate(cmd.token);
  }
}
