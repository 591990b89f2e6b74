import { createHmac, randomUUID } from 'node:crypto';
import { ErrorCodes } from '@app/contracts';
import { TokenService } from './tokens';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const tokens = new TokenService(SECRET);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hs256 = (input: string, secret = SECRET) => createHmac('sha256', secret).update(input).digest('base64url');

const identityClaims = () => ({
  identityId: randomUUID(),
  identityAccessTokenId: randomUUID(),
  authTokenType: 'identityAccessToken',
  iat: Math.floor(Date.now() / 1000),
});

/** A JWT built by hand, as an attacker would. */
function forge(header: object, payload: object, sign: (input: string) => string = (input) => hs256(input)): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input)}`;
}

describe(TokenService.name, () => {
  it('verifies the identity tokens it signs, with the documented claims', () => {
    const issuedAt = new Date();
    const expiresAt = new Date(issuedAt.getTime() + 3_600_000);
    const [identityId, tokenId] = [randomUUID(), randomUUID()];
    expect(tokens.verify(tokens.signIdentityAccessToken(identityId, tokenId, issuedAt, expiresAt))).toEqual({
      authTokenType: 'identityAccessToken',
      identityId,
      identityAccessTokenId: tokenId,
      jti: tokenId,
      iat: Math.floor(issuedAt.getTime() / 1000),
      exp: Math.floor(expiresAt.getTime() / 1000),
    });
  });

  it('signs an identity token without exp when it never expires', () => {
    expect(tokens.verify(tokens.signIdentityAccessToken(randomUUID(), randomUUID(), new Date(), null))).not.toHaveProperty('exp');
  });

  it('verifies the user tokens it signs, scoped to an organization or not', () => {
    const [userId, sessionId, orgId] = [randomUUID(), randomUUID(), randomUUID()];
    const later = new Date(Date.now() + 60_000);
    expect(tokens.verify(tokens.signUserAccessToken(userId, sessionId, new Date(), later))).toMatchObject({ userId, tokenVersionId: sessionId });
    expect(tokens.verify(tokens.signUserAccessToken(userId, sessionId, new Date(), later, orgId))).toMatchObject({ organizationId: orgId });
  });

  it('accepts a well-formed token made elsewhere with the same secret (Infisical sample: no exp)', () => {
    expect(() => tokens.verify(forge({ alg: 'HS256', typ: 'JWT' }, identityClaims()))).not.toThrow();
  });

  it.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(identityClaims())}.`],
    ['HS512 with the right secret', () => forge({ alg: 'HS512', typ: 'JWT' }, identityClaims(), (i) => createHmac('sha512', SECRET).update(i).digest('base64url'))],
    ['a payload changed after signing', () => {
      const [h, , s] = tokens.signIdentityAccessToken(randomUUID(), randomUUID(), new Date(), null).split('.');
      return `${h}.${b64(identityClaims())}.${s}`;
    }],
    ['the wrong key', () => forge({ alg: 'HS256', typ: 'JWT' }, identityClaims(), (i) => hs256(i, 'another-secret-of-at-least-32-chars!!'))],
    ['an expired token', () => tokens.signIdentityAccessToken(randomUUID(), randomUUID(), new Date(Date.now() - 7_200_000), new Date(Date.now() - 3_600_000))],
    ['garbage', () => 'not.a.jwt'],
    ['an unknown token type', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...identityClaims(), authTokenType: 'refreshToken' })],
    ['claims of the wrong shape', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...identityClaims(), identityId: 'not-a-uuid' })],
  ])('refuses %s with TOKEN.INVALID', (_name, make) => {
    expect(() => tokens.verify(make())).toThrow(expect.objectContaining({ code: ErrorCodes.tokenInvalid }));
  });
});
