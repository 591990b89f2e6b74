import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Principal } from '@app/contracts';
import type { FastifyRequest } from 'fastify';

/** How a route is authenticated; every route is `required` unless it says otherwise. */
export type AuthMode = 'required' | 'any-scope' | 'optional' | 'public';
export const AUTH_MODE = 'auth-mode';

/** No token needed (bootstrap, status, health, login, revoking a presented token). */
export const Public = () => SetMetadata(AUTH_MODE, 'public' satisfies AuthMode);
/** A token is used when one is presented and valid (the admin config shows more to an admin). */
export const OptionalAuth = () => SetMetadata(AUTH_MODE, 'optional' satisfies AuthMode);
/** A token is needed, but a user token not scoped to an organization will do (select-organization). */
export const AnyScope = () => SetMetadata(AUTH_MODE, 'any-scope' satisfies AuthMode);

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The authenticated caller of a route whose mode is `required` or `any-scope`. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (principal === undefined) throw new Error('@Caller() on a route that does not authenticate');
  return principal;
});

/** The caller when the route authenticates optionally. */
export const OptionalCaller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined => context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
