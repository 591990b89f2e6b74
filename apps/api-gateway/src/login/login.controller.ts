import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  LoginBodySchema,
  LoginResponseSchema,
  Principal,
  SelectOrganizationBodySchema,
  SelectOrganizationResponseSchema,
  Subjects,
} from '@app/contracts';
import { BusClient } from '@app/common';
import { z } from 'zod';
import { AnyScope, Caller, Public } from '../auth/auth.decorators';
import { ApiRoute } from '../http/api-route.decorator';
import { RateLimited } from '../http/rate-limit';
import { ZodBodyPipe } from '../http/zod-body.pipe';

/** Human login: the bootstrap admin user keeps UI access. */
@Controller('api/v3/auth')
export class LoginController {
  constructor(private readonly bus: BusClient) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @RateLimited()
  @ApiRoute({
    tag: 'Login',
    summary: 'Log a user in',
    description:
      'Answers a user token (expires after JWT_AUTH_LIFETIME) not yet scoped to an organization. The same 400 for an unknown ' +
      'email and a wrong password; after 5 consecutive failures from one address the account answers 429 to that address for ' +
      '5 minutes, even to the right password.',
    body: LoginBodySchema,
    response: LoginResponseSchema,
    errors: {
      400: 'Invalid username or email',
      429: 'Too many failed attempts from this address, too many requests from it, or too many sign-ins at once (RateLimitExceeded); see Retry-After',
    },
  })
  login(@Body(new ZodBodyPipe(LoginBodySchema)) body: z.infer<typeof LoginBodySchema>, @Req() request: FastifyRequest) {
    // The lockout counts per account and address: the client's, behind TRUST_PROXY.
    return this.bus.send(Subjects.user.login, { ...body, clientAddress: request.ip });
  }

  @Post('select-organization')
  @HttpCode(200)
  @AnyScope()
  @ApiRoute({
    tag: 'Login',
    summary: 'Scope a user token to an organization',
    description: 'Admin and project routes accept the token it answers.',
    body: SelectOrganizationBodySchema,
    response: SelectOrganizationResponseSchema,
    errors: { 403: 'Not a member of that organization', 404: 'No such organization' },
  })
  select(@Caller() caller: Principal, @Body(new ZodBodyPipe(SelectOrganizationBodySchema)) body: z.infer<typeof SelectOrganizationBodySchema>) {
    return this.bus.send(Subjects.user.selectOrganization, { caller, ...body });
  }
}
