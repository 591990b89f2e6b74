import { z } from 'zod';
import { EmailSchema, nameSchema } from '../shared';
import { OrganizationViewSchema } from '../organization/views';
import { UserViewSchema } from '../user/views';

/**
 * The body of POST /api/v1/admin/bootstrap (WIRE: Infisical's field names). Unknown keys are
 * stripped, because Infisical's CLI always sends an extra `domain`.
 * The trimmed password is what gets hashed, as Infisical does.
 */
export const BootstrapRequestSchema = z.object({
  email: EmailSchema,
  // Length checks sit behind a pipe so that a value of the wrong type gets one issue, not two.
  password: z.string({ error: 'Password is required and must be a string' }).pipe(
    z
      .string()
      .trim()
      .min(8, { error: 'Password must be at least 8 characters' })
      .max(1024, { error: 'Password must be at most 1024 characters' }),
  ),
  organization: nameSchema('Organization'),
});
export type BootstrapRequest = z.infer<typeof BootstrapRequestSchema>;

/**
 * The `Idempotency-Key` header (beyond Infisical): with it, a caller whose response was lost can
 * repeat the same bootstrap within BOOTSTRAP_RECLAIM_WINDOW and get a freshly minted token.
 */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x20-\x7e]{1,128}$/, { error: 'Idempotency-Key must be 1 to 128 printable ASCII characters' });

export const BOOTSTRAP_SUCCESS_MESSAGE = 'Successfully bootstrapped instance';

/** The HTTP 200 body of a successful bootstrap (WIRE: exactly Infisical's documented shape). */
export const BootstrapResponseSchema = z.object({
  message: z.literal(BOOTSTRAP_SUCCESS_MESSAGE),
  user: UserViewSchema,
  organization: OrganizationViewSchema,
  identity: z.object({
    id: z.uuid(),
    name: z.string(),
    credentials: z.object({ token: z.string().describe('Token Auth JWT (HS256): the root credential') }),
  }),
});
export type BootstrapResponse = z.infer<typeof BootstrapResponseSchema>;

export const INSTANCE_ADMIN_IDENTITY_NAME = 'Instance Admin Identity';
export const INSTANCE_ADMIN_TOKEN_NAME = 'Instance Admin Token';
