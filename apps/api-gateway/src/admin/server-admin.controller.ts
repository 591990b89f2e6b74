import { Controller, Delete, Get, Inject, Param, Query } from '@nestjs/common';
import {
  DeleteUserResponseSchema,
  IdentityIdParamSchema,
  IdentityRefResponseSchema,
  ListAdminIdentitiesResponseSchema,
  ListUsersQuerySchema,
  ListUsersResponseSchema,
  PaginationSchema,
  Principal,
  Subjects,
} from '@app/contracts';
import { BusClient, gatewaySagaWaitMs } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { z } from 'zod';
import { Caller } from '../auth/auth.decorators';
import { ApiRoute } from '../http/api-route.decorator';
import { ZodInputPipe } from '../http/zod-body.pipe';

const UserIdParamSchema = z.object({ userId: z.uuid({ error: 'userId must be a UUID' }) });
const ListIdentitiesQuerySchema = PaginationSchema.extend({ searchTerm: z.string().max(64, { error: 'searchTerm must be at most 64 characters' }).default('') });
const NOT_ADMIN = 'The caller is not an instance admin (PermissionDenied)';

/**
 * Server admin (caller must be an instance admin: a superAdmin user or an instance-admin
 * identity). The services that own users and identities check that, and the orchestrator
 * serializes every removal of an admin so the instance never ends up with none.
 */
@Controller('api/v1/admin')
export class ServerAdminController {
  constructor(
    private readonly bus: BusClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('user-management/users')
  @ApiRoute({ tag: 'Server admin', summary: 'List users', query: ListUsersQuerySchema, response: ListUsersResponseSchema, errors: { 403: NOT_ADMIN } })
  listUsers(@Caller() caller: Principal, @Query(new ZodInputPipe(ListUsersQuerySchema)) query: z.infer<typeof ListUsersQuerySchema>) {
    return this.bus.send(Subjects.user.list, { caller, ...query });
  }

  @Delete('user-management/users/:userId')
  @ApiRoute({
    tag: 'Server admin',
    summary: 'Delete a user',
    description: 'Its login tokens stop working at once. Refused when no admin (user or identity) would remain.',
    params: UserIdParamSchema,
    response: DeleteUserResponseSchema,
    errors: { 400: 'It would leave the instance without any admin', 403: NOT_ADMIN, 404: 'No such user' },
  })
  async deleteUser(@Caller() caller: Principal, @Param(new ZodInputPipe(UserIdParamSchema)) params: z.infer<typeof UserIdParamSchema>) {
    const { user } = await this.bus.send(Subjects.bootstrap.deleteUser, { caller, userId: params.userId }, { timeoutMs: gatewaySagaWaitMs(this.config) });
    return { users: user };
  }

  @Get('identity-management/identities')
  @ApiRoute({
    tag: 'Server admin',
    summary: 'List machine identities',
    query: ListIdentitiesQuerySchema,
    response: ListAdminIdentitiesResponseSchema,
    errors: { 403: NOT_ADMIN },
  })
  listIdentities(@Caller() caller: Principal, @Query(new ZodInputPipe(ListIdentitiesQuerySchema)) query: z.infer<typeof ListIdentitiesQuerySchema>) {
    return this.bus.send(Subjects.identity.list, { caller, ...query });
  }

  @Delete('identity-management/identities/:identityId/super-admin-access')
  @ApiRoute({
    tag: 'Server admin',
    summary: "Revoke an identity's instance-admin permission",
    params: IdentityIdParamSchema,
    response: IdentityRefResponseSchema,
    errors: { 400: 'Not an instance admin, or it would leave the instance without any admin', 403: NOT_ADMIN, 404: 'No such identity' },
  })
  revokeSuperAdmin(@Caller() caller: Principal, @Param(new ZodInputPipe(IdentityIdParamSchema)) params: z.infer<typeof IdentityIdParamSchema>) {
    return this.bus.send(Subjects.bootstrap.revokeIdentityAdmin, { caller, identityId: params.identityId }, { timeoutMs: gatewaySagaWaitMs(this.config) });
  }
}
