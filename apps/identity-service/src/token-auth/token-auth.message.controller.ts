import { Controller } from '@nestjs/common';
import {
  AttachTokenAuthSchema,
  CreateTokenSchema,
  ListTokensSchema,
  ReplyOf,
  REVOKED_MESSAGE,
  RevokePresentedTokenSchema,
  RevokeTokenSchema,
  Subjects,
} from '@app/contracts';
import { PayloadPipe } from '@app/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { TokenAuthService } from './token-auth.service';
import { TokenRecordsService } from './token-records.service';

/** Token Auth routes. Every one with a caller passes the privilege-escalation guard first. */
@Controller()
export class TokenAuthMessageController {
  constructor(
    private readonly tokenAuth: TokenAuthService,
    private readonly records: TokenRecordsService,
  ) {}

  @MessagePattern(Subjects.identity.attachTokenAuth)
  async attach(
    @Payload(new PayloadPipe(AttachTokenAuthSchema)) cmd: z.infer<typeof AttachTokenAuthSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.attachTokenAuth>> {
    return { identityTokenAuth: await this.tokenAuth.attach(cmd.identityId, cmd.accessTokenTTL, cmd.accessTokenMaxTTL) };
  }

  @MessagePattern(Subjects.identity.createToken)
  createToken(
    @Payload(new PayloadPipe(CreateTokenSchema)) cmd: z.infer<typeof CreateTokenSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.createToken>> {
    return this.tokenAuth.createToken(cmd.identityId, cmd.name);
  }

  @MessagePattern(Subjects.identity.listTokens)
  async listTokens(
    @Payload(new PayloadPipe(ListTokensSchema)) cmd: z.infer<typeof ListTokensSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.listTokens>> {
    return { tokens: await this.records.list(cmd.identityId, cmd.offset, cmd.limit) };
  }

  @MessagePattern(Subjects.identity.revokeToken)
  async revokeToken(
    @Payload(new PayloadPipe(RevokeTokenSchema)) cmd: z.infer<typeof RevokeTokenSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.revokeToken>> {
    await this.records.revoke(cmd.tokenId);
    return { message: REVOKED_MESSAGE };
  }

  /** No caller: possession of the token is the authorization. */
  @MessagePattern(Subjects.identity.revokePresentedToken)
  async revokePresentedToken(
    @Payload(new PayloadPipe(RevokePresentedTokenSchema)) cmd: z.infer<typeof RevokePresentedTokenSchema>,
  ): Promise<ReplyOf<typeof Subjects.identity.revokePresentedToken>> {
    await this.records.revokePresented(cmd.token);
    return { message: REVOKED_MESSAGE };
  }
}
