import { z } from 'zod';

export const AUTH_METHODS = ['token-auth'] as const;

/** WIRE: a machine identity as Infisical's API shows one. */
export const IdentityViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  orgId: z.uuid(),
  authMethods: z.array(z.enum(AUTH_METHODS)),
});
export const IdentityDetailSchema = IdentityViewSchema.extend({ isInstanceAdmin: z.boolean() });
export const IdentityRefSchema = z.object({ id: z.uuid(), name: z.string() });
export const AdminIdentityViewSchema = IdentityRefSchema.extend({ isInstanceAdmin: z.boolean() });
export type IdentityView = z.infer<typeof IdentityViewSchema>;
export type IdentityDetail = z.infer<typeof IdentityDetailSchema>;
export type IdentityRef = z.infer<typeof IdentityRefSchema>;
export type AdminIdentityView = z.infer<typeof AdminIdentityViewSchema>;

export const TokenAuthViewSchema = z.object({
  identityId: z.uuid(),
  accessTokenTTL: z.number().int(),
  accessTokenMaxTTL: z.number().int(),
});
export type TokenAuthView = z.infer<typeof TokenAuthViewSchema>;

/** WIRE: an access-token record (`tokenData`); never the token itself. */
export const AccessTokenViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  identityId: z.uuid(),
  authMethod: z.literal('token-auth'),
  accessTokenTTL: z.number().int(),
  accessTokenMaxTTL: z.number().int(),
  isAccessTokenRevoked: z.boolean(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
});
export type AccessTokenView = z.infer<typeof AccessTokenViewSchema>;

/** WIRE: Infisical's answer to minting a Token Auth token. */
export const MintedTokenSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until it expires; 0 when it never does. */
  expiresIn: z.number().int(),
  accessTokenMaxTTL: z.number().int(),
  tokenData: AccessTokenViewSchema,
});
export type MintedToken = z.infer<typeof MintedTokenSchema>;
