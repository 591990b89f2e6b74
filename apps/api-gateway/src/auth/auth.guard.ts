import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AUTH_MODE, AuthenticatedRequest, AuthMode } from './auth.decorators';
import { Authenticator } from './authenticator';
import { HttpError } from '../http/http-error';

/**
 * Every route needs a bearer token unless it is marked otherwise, so a new route cannot be
 * public by accident. Authentication says who the caller is; what the caller may do is decided
 * by the service that owns the data, which gets the principal with each command.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE, [context.getHandler(), context.getClass()]) ?? 'required';
    if (mode === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const authorization = request.headers.authorization;
    if (mode === 'optional') {
      if (authorization !== undefined) {
        request.principal = await this.authenticator.authenticate(authorization, request.id).catch(() => undefined);
      }
      return true;
    }
    const principal = await this.authenticator.authenticate(authorization, request.id);
    // WIRE: a user token not scoped to an organization gets 401 on organization and admin routes.
    if (mode === 'required' && principal.orgId === null) {
      throw new HttpError(401, 'UnauthorizedError', 'This route needs a token scoped to an organization; select one first');
    }
    request.principal = principal;
    return true;
  }
}
