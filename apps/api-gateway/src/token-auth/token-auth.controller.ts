import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  AttachTokenAuthBodySchema,
  CreateTokenBodySchema,
  IdentityIdParamSchema,
  ListTokensResponseSchema,
  MintedTokenSchema,
  PaginationSchema,
  Principal,
  RevokedResponseSchema,
  RevokePresentedTokenBodySchema,
  Subjects,
  TokenAuthResponseSchema,
  TokenIdParamSchema,
} from '@app/contracts';
import { BusClient } from '@app/common';
import { z } from 'zod';
import { Caller, Public } from '../auth/auth.decorators';
import { GUARDED } from '../identities/identities.controller';
import { ApiRoute } from '../http/api-route.decorator';
import { ZodBodyPipe, ZodInputPipe } from '../http/zod-body.pipe';

type IdParam = z.infer<typeof IdentityIdParamSchema>;

/**
 * Token Auth, which is also how the root credential is rotated: mint a new token for the
 * instance-admin identity, switch over, revoke the old one (by id, or by presenting it).
 */
@Controller('api/v1/auth')
export class TokenAuthController {
  constructor(private readonly bus: BusClient) {}

  @Post('token-auth/identities/:identityId')
  @HttpCode(200)
  @ApiRoute({
    tag: 'Token Auth',
    summary: 'Attach Token Auth to a machine identity',
    params: IdentityIdParamSchema,
    body: AttachTokenAuthBodySchema,
    response: TokenAuthResponseSchema,
    errors: { 400: 'Token Auth is already attached', 403: GUARDED, 404: 'No such identity' },
  })
  attach(
    @Caller() caller: Principal,
    @Param(new ZodInputPipe(IdentityIdParamSchema)) { identityId }: IdParam,
    @Body(new ZodBodyPipe(AttachTokenAuthBodySchema, { optional: true })) body: z.infer<typeof AttachTokenAuthBodySchema>,
  ) {
    return this.bus.send(Subjects.identity.attachTokenAuth, { caller, identityId, ...body });
  }

  @Post('token-auth/identities/:identityId/tokens')
  @HttpCode(200)
  @ApiRoute({
    tag: 'Token Auth',
    summary: 'Mint an access token for a machine identity',
    description: "Its `exp` follows the identity's access-token TTL, capped by MAX_MACHINE_IDENTITY_TOKEN_AGE.",
    params: IdentityIdParamSchema,
    body: CreateTokenBodySchema,
    response: MintedTokenSchema,
    errors: { 400: 'Token Auth is not attached', 403: GUARDED, 404: 'No such identity' },
  })
  mint(
    @Caller() caller: Principal,
    @Param(new ZodInputPipe(IdentityIdParamSchema)) { identityId }: IdParam,
    @Body(new ZodBodyPipe(CreateTokenBodySchema, { optional: true })) body: z.infer<typeof CreateTokenBodySchema>,
  ) {
    return this.bus.send(Subjects.identity.createToken, { caller, identityId, ...body });
  }

  @Get('token-auth/identities/:identityId/tokens')
  @ApiRoute({
    tag: 'Token Auth',
    summary: "List a machine identity's access tokens (records, never the tokens)",
    params: IdentityIdParamSchema,
    query: PaginationSchema,
    response: ListTokensResponseSchema,
    errors: { 403: GUARDED, 404: 'No such identity' },
  })
  list(
    @Caller() caller: Principal,
    @Param(new ZodInputPipe(IdentityIdParamSchema)) { identityId }: IdParam,
    @Query(new ZodInputPipe(PaginationSchema)) query: z.infer<typeof PaginationSchema>,
  ) {
    return this.bus.send(Subjects.identity.listTokens, { caller, identityId, ...query });
  }

  @Post('token-auth/tokens/:tokenId/revoke')
  @HttpCode(200)
  @ApiRoute({
    tag: 'Token Auth',
    summary: 'Revoke an access token by its id',
    description: 'It stops working on the very next request, on every gateway.',
    params: TokenIdParamSchema,
    response: RevokedResponseSchema,
    errors: { 403: GUARDED, 404: 'No such token' },
  })
  revoke(@Caller() caller: Principal, @Param(new ZodInputPipe(TokenIdParamSchema)) { tokenId }: z.infer<typeof TokenIdParamSchema>) {
    return this.bus.send(Subjects.identity.revokeToken, { caller, tokenId });
  }

  @Post('token/revoke')
  @HttpCode(200)
  @Public()
  @ApiRoute({
    tag: 'Token Auth',
    summary: 'Revoke the access token given in the body',
    description: 'Possession of the token is the authorization: no Authorization header is needed.',
    body: RevokePresentedTokenBodySchema,
    response: RevokedResponseSchema,
    errors: { 403: 'The token is malformed, badly signed or expired (TokenError)' },
  })
  revokePresented(@Body(new ZodBodyPipe(RevokePresentedTokenBodySchema)) body: z.infer<typeof RevokePresentedTokenBodySchema>) {
    return this.bus.send(Subjects.identity.revokePresentedToken, { token: body.accessToken });
  }
}
