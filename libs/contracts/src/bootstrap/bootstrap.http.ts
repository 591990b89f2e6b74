import { z } from 'zod';
import type { OrganizationView } from '../organization/views';
import type { UserView } from '../user/views';

/** Control characters (C0, DEL, C1) are refused in names: they break logs, UIs and slugs. */
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/**
 * The body of POST /api/v1/admin/bootstrap (WIRE: Infisical's field names). Unknown keys are
 * stripped, because Infisical's CLI always sends an extra `domain`.
 * The trimmed password is what gets hashed, as Infisical does.
 */
export const BootstrapRequestSchema = z.object({
  email: z
    .string({ error: 'Email is required and must be a string' })
    .trim()
    .toLowerCase()
    .max(254, { error: 'Email must be at most 254 characters' })
    .pipe(z.email({ error: 'Email must be a valid email address' })),
  // Length checks sit behind a pipe so that a value of the wrong type gets one issue, not two.
  password: z.string({ error: 'Password is required and must be a string' }).pipe(
    z
      .string()
      .trim()
      .min(8, { error: 'Password must be at least 8 characters' })
      .max(1024, { error: 'Password must be at most 1024 characters' }),
  ),
  organization: z.string({ error: 'Organization is required and must be a string' }).pipe(
    z
      .string()
      .trim()
      .min(1, { error: 'Organization must not be empty' })
      .max(64, { error: 'Organization must be at most 64 characters' })
      .regex(NO_CONTROL_CHARACTERS, { error: 'Organization must not contain control characters' }),
  ),
});
export type BootstrapRequest = z.infer<typeof BootstrapRequestSchema>;

/**
 * The `Idempotency-Key` header (beyond Infisical): with it, a caller whose response was lost can
 * repeat the same bootstrap within BOOTSTRAP_RECLAIM_WINDOW and get a freshly minted token.
 */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x20-\x7e]{1,128}$/, { error: 'Idempotency-Key must be 1 to 128 printable ASCII characters' });

/** The HTTP 200 body of a successful bootstrap (WIRE: exactly Infisical's documented shape). */
export interface BootstrapResponse {
  message: 'Successfully bootstrapped instance';
  user: UserView;
  organization: OrganizationView;
  identity: { id: string; name: string; credentials: { token: string } };
}

export const BOOTSTRAP_SUCCESS_MESSAGE = 'Successfully bootstrapped instance';
export const INSTANCE_ADMIN_IDENTITY_NAME = 'Instance Admin Identity';
export const INSTANCE_ADMIN_TOKEN_NAME = 'Instance Admin Token';
