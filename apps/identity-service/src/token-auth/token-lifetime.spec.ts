import { loadConfig } from '@app/config';
import { TokenLifetime } from './token-lifetime';

const NOW = new Date(1_750_000_000_400);
const NOW_S = 1_750_000_000;
const lifetime = (age: string) => new TokenLifetime(loadConfig({ MAX_MACHINE_IDENTITY_TOKEN_AGE: age }));
const secondsFromNow = (d: Date | null) => (d === null ? null : d.getTime() / 1000 - NOW_S);

describe(TokenLifetime.name, () => {
  it('gives a token without a TTL the maximum age, from the second it is issued in', () => {
    expect(secondsFromNow(lifetime('1h').expiryFrom(NOW))).toBe(3600);
  });

  it('gives a token without a TTL no expiry when the maximum age is 0', () => {
    expect(lifetime('0').expiryFrom(NOW)).toBeNull();
  });

  it('ends a token at its TTL when the TTL is shorter than the maximum age', () => {
    expect(secondsFromNow(lifetime('1h').expiryFrom(NOW, 600))).toBe(600);
  });

  it('caps a TTL longer than the maximum age at the maximum age', () => {
    expect(secondsFromNow(lifetime('1h').expiryFrom(NOW, 7200))).toBe(3600);
  });

  it('ends a token at its TTL alone when the maximum age is 0', () => {
    expect(secondsFromNow(lifetime('0').expiryFrom(NOW, 7200))).toBe(7200);
  });

  it('records the root token with its real lifetime as its TTLs (0 when it never expires)', () => {
    expect(lifetime('1h').rootTokenLifetime(NOW)).toMatchObject({ accessTokenTTL: 3600, accessTokenMaxTTL: 3600 });
    expect(lifetime('0').rootTokenLifetime(NOW)).toEqual({ expiresAt: null, accessTokenTTL: 0, accessTokenMaxTTL: 0 });
  });
});
