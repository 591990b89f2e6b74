import { KeyObject, sign, verify } from 'node:crypto';
import { ErrorCodes, Principal, SignedPrincipal, SignedPrincipalSchema } from '@app/contracts';
import { DomainError } from '../errors/domain-error';

/*
 * WIRE SECURITY: who a command is made for is believed only from who authenticated it. The
 * services that verify tokens (identity-service, user-service) sign the principal with an
 * Ed25519 private key that nothing else holds; every service that acts on a caller verifies the
 * signature with the public key, its expiry, and that it was signed for this very request (the
 * correlation id every message of the request carries). The gateway holds neither key, so its
 * NATS credentials alone cannot make up a caller, let alone an instance admin.
 */

/** How long a signed principal is good for: a request and the saga it may start, with room for clock skew. */
export const PRINCIPAL_LIFETIME_S = 60;

/** The bytes signed: a fixed-order list of every claim, under a label no other signature uses. */
function signedBytes(c: Omit<SignedPrincipal, 'signature'>): Buffer {
  return Buffer.from(JSON.stringify(['bootstrap-principal/v1', c.type, c.id, c.orgId, c.isInstanceAdmin, c.tokenId, c.correlationId, c.expiresAt]), 'utf8');
}

/** Held by the services that authenticate tokens. */
export class PrincipalSigner {
  constructor(private readonly privateKey: KeyObject) {}

  /** The principal, signed for the request with this correlation id, good for PRINCIPAL_LIFETIME_S. */
  sign(who: Pick<Principal, 'type' | 'id' | 'orgId' | 'isInstanceAdmin' | 'tokenId'>, correlationId: string, now = Date.now()): SignedPrincipal {
    const claims = { type: who.type, id: who.id, orgId: who.orgId, isInstanceAdmin: who.isInstanceAdmin, tokenId: who.tokenId, correlationId, expiresAt: Math.floor(now / 1000) + PRINCIPAL_LIFETIME_S };
    return { ...claims, signature: sign(null, signedBytes(claims), this.privateKey).toString('base64url') };
  }
}

/** Held by every service that acts on a caller. */
export class PrincipalVerifier {
  constructor(private readonly publicKey: KeyObject) {}

  /**
   * The caller of a command received with `correlationId`, checked: its signature, its expiry,
   * and that it was signed for this request. BUS.CALLER_UNVERIFIED otherwise, never saying which
   * check failed (nothing to learn from trying).
   */
  verify(caller: unknown, correlationId: string | undefined, now = Date.now()): SignedPrincipal {
    const parsed = SignedPrincipalSchema.safeParse(caller);
    if (parsed.success && parsed.data.correlationId === correlationId && parsed.data.expiresAt > now / 1000 && this.signatureHolds(parsed.data)) {
      return parsed.data;
    }
    throw new DomainError(ErrorCodes.callerUnverified, 'The caller of this command is not signed by a service that authenticates tokens');
  }

  private signatureHolds(p: SignedPrincipal): boolean {
    try {
      return verify(null, signedBytes(p), this.publicKey, Buffer.from(p.signature, 'base64url'));
    } catch {
      return false;
    }
  }
}
