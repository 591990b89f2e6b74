import { Injectable } from '@nestjs/common';
import { Principal, Subjects } from '@app/contracts';
import { BusClient } from '@app/common';
import { HttpError } from '../http/http-error';
import { tokenTypeOf } from './token-type';

/**
 * Turns a bearer token into the principal behind it, on every request: the service that signed
 * the token verifies it (signature, HS256 only, expiry) and checks its record — revoked, or its
 * identity or user deleted — so a revocation takes effect on the very next request on every
 * gateway replica. Nothing is cached here.
 */
@Injectable()
export class Authenticator {
  constructor(private readonly bus: BusClient) {}

  async authenticate(authorization: string | undefined, correlationId: string): Promise<Principal> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) throw new HttpError(401, 'UnauthorizedError', 'Token missing');
    const options = { correlationId };
    switch (tokenTypeOf(token)) {
      case 'identityAccessToken':
        return this.bus.send(Subjects.identity.authenticate, { token }, options);
      case 'accessToken':
        return this.bus.send(Subjects.user.authenticate, { token }, options);
      default:
        // WIRE: Infisical answers a token it cannot read with 403 TokenError.
        throw new HttpError(403, 'TokenError', 'Invalid token');
    }
  }
}
