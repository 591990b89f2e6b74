/**
 * Which service owns a bearer token, read from its `authTokenType` claim WITHOUT verifying it:
 * only to route the token to the service that signed it, which verifies it. The gateway holds
 * no signing key (least privilege at the edge that faces the internet).
 */
export function tokenTypeOf(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1].length > 8192) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const type = (claims as { authTokenType?: unknown } | null)?.authTokenType;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
