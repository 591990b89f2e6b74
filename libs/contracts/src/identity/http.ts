import { z } from 'zod';
import { nameSchema, OrgRoleSchema } from '../shared';
import {
  AccessTokenViewSchema,
  AdminIdentityViewSchema,
  IdentityDetailSchema,
  IdentityRefSchema,
  IdentityViewSchema,
  TokenAuthViewSchema,
} from './views';

/** WIRE: Infisical's Token Auth default, 30 days for both TTLs. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 2_592_000;
/** Ten years: a bound, so a TTL cannot overflow a date. */
const MAX_TTL_SECONDS = 315_360_000;

export const IdentityIdParamSchema = z.object({ identityId: z.uuid({ error: 'identityId must be a UUID' }) });
export const TokenIdParamSchema = z.object({ tokenId: z.uuid({ error: 'tokenId must be a UUID' }) });

/** POST /api/v1/identities */
export const CreateIdentityBodySchema = z.object({
  name: nameSchema('name'),
  organizationId: z.uuid({ error: 'organizationId must be a UUID' }),
  role: OrgRoleSchema,
});
/** PATCH /api/v1/identities/:identityId */
export const UpdateIdentityBodySchema = z.object({ name: nameSchema('name').optional(), role: OrgRoleSchema.optional() });

const ttl = (what: string) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .int({ error: `${what} must be a whole number of seconds` })
    .min(1, { error: `${what} must be at least 1 second` })
    .max(MAX_TTL_SECONDS, { error: `${what} must be at most ${MAX_TTL_SECONDS} seconds` });

/** POST /api/v1/auth/token-auth/identities/:identityId */
export const ttlWithinMaxTtl = (b: { accessTokenTTL: number; accessTokenMaxTTL: number }) => b.accessTokenTTL <= b.accessTokenMaxTTL;
export const ttlWithinMaxTtlIssue = { error: 'accessTokenTTL must not exceed accessTokenMaxTTL', path: ['accessTokenTTL'] };

export const AttachTokenAuthBodySchema = z
  .object({
    accessTokenTTL: ttl('accessTokenTTL').default(DEFAULT_ACCESS_TOKEN_TTL_SECONDS),
    accessTokenMaxTTL: ttl('accessTokenMaxTTL').default(DEFAULT_ACCESS_TOKEN_TTL_SECONDS),
  })
  .refine(ttlWithinMaxTtl, ttlWithinMaxTtlIssue);

/** POST /api/v1/auth/token-auth/identities/:identityId/tokens */
export const CreateTokenBodySchema = z.object({ name: nameSchema('name').optional() });

/** POST /api/v1/auth/token/revoke: possession of the token is the authorization. */
export const RevokePresentedTokenBodySchema = z.object({
  accessToken: z.string({ error: 'accessToken is required and must be a string' }).min(1, { error: 'accessToken must not be empty' }).max(8192, { error: 'accessToken is too long' }),
});

export const IdentityResponseSchema = z.object({ identity: IdentityViewSchema });
export const IdentityDetailResponseSchema = z.object({ identity: IdentityDetailSchema });
export const IdentityRefResponseSchema = z.object({ identity: IdentityRefSchema });
export const TokenAuthResponseSchema = z.object({ identityTokenAuth: TokenAuthViewSchema });
export const ListTokensResponseSchema = z.object({ tokens: z.array(AccessTokenViewSchema) });
export const RevokedResponseSchema = z.object({ message: z.literal('Successfully revoked access token') });
export const ListAdminIdentitiesResponseSchema = z.object({ identities: z.array(AdminIdentityViewSchema), total: z.number().int() });
export const REVOKED_MESSAGE = 'Successfully revoked access token';
