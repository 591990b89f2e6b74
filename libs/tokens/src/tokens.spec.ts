import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { ErrorCodes } from '@app/contracts';
import { TOKEN_ISSUER, TokenService } from './tokens';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const tokens = new TokenService(SECRET);
const DAY_MS = 24 * 3600 * 1000;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A kind's key as the service derives it, as someone who learned it (and only it) would hold it. */
const keyOf = (kid: string) => Buffer.from(hkdfSync('sha256', Buffer.from(SECRET, 'utf8'), TOKEN_ISSUER, kid, 32));
const IDENTITY_KEY = keyOf('identity-access-v1');
const USER_KEY = keyOf('user-access-v1');
const hs256 = (input: string, key: Buffer | string = IDENTITY_KEY) => createHmac('sha256', key).update(input).digest('base64url');
const now = () => Math.floor(Date.now() / 1000);

const identityClaims = (extra: object = {}) => ({
  identityId: randomUUID(),
  identityAccessTokenId: randomUUID(),
  authTokenType: 'identityAccessToken',
  iat: now(),
  exp: now() + 3600,
  iss: TOKEN_ISSUER,
  aud: 'identity-access',
  ...extra,
});
const userClaims = (extra: object = {}) => ({
  authTokenType: 'accessToken',
  userId: randomUUID(),
  tokenVersionId: randomUUID(),
  iat: now(),
  exp: now() + 3600,
  iss: TOKEN_ISSUER,
  aud: 'user-access',
  ...extra,
});

/** A JWT built by hand, as an attacker would. */
function forge(header: object, payload: object, sign: (input: string) => string = (input) => hs256(input)): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input)}`;
}
const HEADER = { alg: 'HS256', typ: 'JWT' };
const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
const INVALID = expect.objectContaining({ code: ErrorCodes.tokenInvalid });

describe(TokenService.name, () => {
  it('verifies the identity tokens it signs, with the documented claims, an issuer, an audience and a key id', () => {
    const issuedAt = new Date();
    const expiresAt = new Date(issuedAt.getTime() + 3_600_000);
    const [identityId, tokenId] = [randomUUID(), randomUUID()];
    const token = tokens.signIdentityAccessToken(identityId, tokenId, issuedAt, expiresAt);
    expect(tokens.verifyIdentityAccessToken(token, 90 * DAY_MS)).toEqual({
      authTokenType: 'identityAccessToken',
      identityId,
      identityAccessTokenId: tokenId,
      jti: tokenId,
      iat: Math.floor(issuedAt.getTime() / 1000),
      exp: Math.floor(expiresAt.getTime() / 1000),
    });
    expect(header(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'identity-access-v1' });
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).toMatchObject({ iss: TOKEN_ISSUER, aud: 'identity-access' });
  });

  it('verifies the user tokens it signs, scoped to an organization or not', () => {
    const [userId, sessionId, orgId] = [randomUUID(), randomUUID(), randomUUID()];
    const later = new Date(Date.now() + 60_000);
    expect(tokens.verifyUserAccessToken(tokens.signUserAccessToken(userId, sessionId, new Date(), later), DAY_MS)).toMatchObject({ userId, tokenVersionId: sessionId });
    expect(tokens.verifyUserAccessToken(tokens.signUserAccessToken(userId, sessionId, new Date(), later, orgId), DAY_MS)).toMatchObject({ organizationId: orgId });
    expect(header(tokens.signUserAccessToken(userId, sessionId, new Date(), later))).toMatchObject({ kid: 'user-access-v1' });
  });

  describe('the two kinds cannot be confused', () => {
    it('refuses a user token as an identity token, and the other way round', () => {
      const user = tokens.signUserAccessToken(randomUUID(), randomUUID(), new Date(), new Date(Date.now() + 60_000));
      const identity = tokens.signIdentityAccessToken(randomUUID(), randomUUID(), new Date(), new Date(Date.now() + 60_000));
      expect(() => tokens.verifyIdentityAccessToken(user, 0)).toThrow(INVALID);
      expect(() => tokens.verifyUserAccessToken(identity, 0)).toThrow(INVALID);
    });

    it('refuses what the leaked key of one kind signs as the other kind', () => {
      expect(() => tokens.verifyIdentityAccessToken(forge(HEADER, identityClaims(), (i) => hs256(i, USER_KEY)), 0)).toThrow(INVALID);
      expect(() => tokens.verifyUserAccessToken(forge(HEADER, userClaims(), (i) => hs256(i, IDENTITY_KEY)), 0)).toThrow(INVALID);
    });

    it('refuses a token signed with AUTH_SECRET itself (the key before this version, or a hand-made one)', () => {
      expect(() => tokens.verifyIdentityAccessToken(forge(HEADER, identityClaims(), (i) => hs256(i, SECRET)), 0)).toThrow(INVALID);
    });

    it('accepts a well-formed token made elsewhere with the kind\'s key (control)', () => {
      expect(() => tokens.verifyIdentityAccessToken(forge(HEADER, identityClaims()), 0)).not.toThrow();
      expect(() => tokens.verifyUserAccessToken(forge(HEADER, userClaims(), (i) => hs256(i, USER_KEY)), 0)).not.toThrow();
    });
  });

  describe('lifetime', () => {
    it('refuses an identity token without exp while there is a maximum age, and takes it with none (0)', () => {
      const token = tokens.signIdentityAccessToken(randomUUID(), randomUUID(), new Date(), null);
      expect(() => tokens.verifyIdentityAccessToken(token, 90 * DAY_MS)).toThrow(INVALID);
      expect(tokens.verifyIdentityAccessToken(token, 0)).not.toHaveProperty('exp');
    });

    it('applies a lowered maximum age to a token already out: older than the age now, refused though its exp is later', () => {
      const issued = new Date(Date.now() - 2 * DAY_MS);
      const token = tokens.signIdentityAccessToken(randomUUID(), randomUUID(), issued, new Date(Date.now() + 88 * DAY_MS));
      expect(() => tokens.verifyIdentityAccessToken(token, 90 * DAY_MS)).not.toThrow();
      expect(() => tokens.verifyIdentityAccessToken(token, DAY_MS)).toThrow(INVALID);
    });

    it('applies JWT_AUTH_LIFETIME the same way to user tokens', () => {
      const token = tokens.signUserAccessToken(randomUUID(), randomUUID(), new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() + 3_600_000));
      expect(() => tokens.verifyUserAccessToken(token, DAY_MS)).not.toThrow();
      expect(() => tokens.verifyUserAccessToken(token, 3_600_000)).toThrow(INVALID);
    });
  });

  it.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(identityClaims())}.`],
    ['HS512 with the right key', () => forge({ alg: 'HS512', typ: 'JWT' }, identityClaims(), (i) => createHmac('sha512', IDENTITY_KEY).update(i).digest('base64url'))],
    ['a payload changed after signing', () => {
      const [h, , s] = tokens.signIdentityAccessToken(randomUUID(), randomUUID(), new Date(), null).split('.');
      return `${h}.${b64(identityClaims())}.${s}`;
    }],
    ['the wrong key', () => forge(HEADER, identityClaims(), (i) => hs256(i, 'another-secret-of-at-least-32-chars!!'))],
    ['an expired token', () => tokens.signIdentityAccessToken(randomUUID(), randomUUID(), new Date(Date.now() - 7_200_000), new Date(Date.now() - 3_600_000))],
    ['no issuer', () => forge(HEADER, identityClaims({ iss: undefined }))],
    ['another issuer', () => forge(HEADER, identityClaims({ iss: 'infisical' }))],
    ['no audience', () => forge(HEADER, identityClaims({ aud: undefined }))],
    ["the user tokens' audience", () => forge(HEADER, identityClaims({ aud: 'user-access' }))],
    ['garbage', () => 'not.a.jwt'],
    ['an unknown token type', () => forge(HEADER, identityClaims({ authTokenType: 'refreshToken' }))],
    ['claims of the wrong shape', () => forge(HEADER, identityClaims({ identityId: 'not-a-uuid' }))],
  ])('refuses %s with TOKEN.INVALID', (_name, make) => {
    expect(() => tokens.verifyIdentityAccessToken(make(), 0)).toThrow(INVALID);
  });
});
