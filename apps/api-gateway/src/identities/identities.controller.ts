import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import {
  CreateIdentityBodySchema,
  IdentityDetailResponseSchema,
  IdentityIdParamSchema,
  IdentityRefResponseSchema,
  IdentityResponseSchema,
  Principal,
  Subjects,
  UpdateIdentityBodySchema,
} from '@app/contracts';
import { BusClient, gatewaySagaWaitMs } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { z } from 'zod';
import { Caller } from '../auth/auth.decorators';
import { ApiRoute } from '../http/api-route.decorator';
import { ZodBodyPipe, ZodInputPipe } from '../http/zod-body.pipe';

type IdParam = z.infer<typeof IdentityIdParamSchema>;
export const GUARDED =
  'Not allowed: the caller is not an admin of the organization, or the identity is an instance admin and the caller is not ' +
  '(`You are attempting to modify an instance admin identity…`)';

@Controller('api/v1/identities')
export class IdentitiesController {
  constructor(
    private readonly bus: BusClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiRoute({
    tag: 'Machine identities',
    summary: 'Create a machine identity in an organization',
    description: 'The caller must be an admin of that organization. A new identity is never an instance admin.',
    body: CreateIdentityBodySchema,
    response: IdentityResponseSchema,
    errors: { 403: 'The caller is not an admin of that organization', 404: 'No such organization' },
  })
  create(@Caller() caller: Principal, @Body(new ZodBodyPipe(CreateIdentityBodySchema)) body: z.infer<typeof CreateIdentityBodySchema>) {
    return this.bus.send(Subjects.bootstrap.createIdentity, { caller, ...body }, { timeoutMs: gatewaySagaWaitMs(this.config) });
  }

  @Get(':identityId')
  @ApiRoute({
    tag: 'Machine identities',
    summary: 'Get a machine identity',
    params: IdentityIdParamSchema,
    response: IdentityDetailResponseSchema,
    errors: { 403: 'The caller is not a member of its organization', 404: 'No such identity' },
  })
  get(@Caller() caller: Principal, @Param(new ZodInputPipe(IdentityIdParamSchema)) { identityId }: IdParam) {
    return this.bus.send(Subjects.identity.get, { caller, identityId });
  }

  @Patch(':identityId')
  @ApiRoute({
    tag: 'Machine identities',
    summary: "Rename a machine identity or change its organization role",
    params: IdentityIdParamSchema,
    body: UpdateIdentityBodySchema,
    response: IdentityResponseSchema,
    errors: { 403: GUARDED, 404: 'No such identity' },
  })
  update(
    @Caller() caller: Principal,
    @Param(new ZodInputPipe(IdentityIdParamSchema)) { identityId }: IdParam,
    @Body(new ZodBodyPipe(UpdateIdentityBodySchema)) body: z.infer<typeof UpdateIdentityBodySchema>,
  ) {
    return this.bus.send(Subjects.identity.update, { caller, identityId, ...body });
  }

  @Delete(':identityId')
  @ApiRoute({
    tag: 'Machine identities',
    summary: 'Delete a machine identity',
    description: 'All its tokens stop working at once. Refused when no admin (user or identity) would remain.',
    params: IdentityIdParamSchema,
    response: IdentityRefResponseSchema,
    errors: { 400: 'It would leave the instance without any admin', 403: GUARDED, 404: 'No such identity' },
  })
  delete(@Caller() caller: Principal, @Param(new ZodInputPipe(IdentityIdParamSchema)) { identityId }: IdParam) {
    return this.bus.send(Subjects.bootstrap.deleteIdentity, { caller, identityId }, { timeoutMs: gatewaySagaWaitMs(this.config) });
  }
}
