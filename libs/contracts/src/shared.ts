import { z } from 'zod';

/* WIRE API: what every service's commands share. */

export const SagaIdSchema = z.uuid();

/**
 * WIRE SECURITY: every command payload is a strict object — a field the command does not have is
 * refused (BUS.INVALID_PAYLOAD), so an event, a reply or another command's payload that happens
 * to carry the right fields (a `sagaId`…) never passes for this command.
 */
export const commandSchema = z.strictObject;

/** Compensations are keyed on the saga alone: a step that timed out may have run without us learning its ids. */
export const CompensateSchema = commandSchema({ sagaId: SagaIdSchema });

export const EmptySchema = commandSchema({});

/**
 * Sent by the orchestrator to every participant when a saga has completed, before anything makes
 * its id public: the participant then refuses every step and every compensation of that saga
 * (SAGA.FINISHED). Idempotent; not a compensation.
 */
export const FinishSagaSchema = commandSchema({ sagaId: SagaIdSchema });

const PrincipalShape = {
  type: z.enum(['identity', 'user']),
  id: z.uuid(),
  /** The organization the token acts in; null for a user token not scoped to one. */
  orgId: z.uuid().nullable(),
  /** A superAdmin user or an instance-admin identity: may call every /api/v1/admin route. */
  isInstanceAdmin: z.boolean(),
  /** What the request presented: an identity's access-token record, or a user's login session. */
  tokenId: z.uuid(),
};

/** The proof of a principal, added by the service that authenticated its token (see SignedPrincipalSchema). */
const ProofShape = {
  /** The request it was signed for: the x-correlation-id of every message that carries it. */
  correlationId: z.string().min(1).max(128),
  /** Unix seconds. */
  expiresAt: z.number().int(),
  /** Ed25519 over the claims above, base64url. */
  signature: z.string().min(1).max(128),
};

/**
 * WIRE SECURITY: who a command is made for — the principal whose token the service that owns
 * it (identity-service, user-service) verified on this very request, signed by that service with
 * a key the gateway does not hold. Every command made for a caller carries it as `caller`; the
 * bus transport of every service verifies the proof before any handler runs (a forged, expired
 * or borrowed one is refused: BUS.CALLER_UNVERIFIED), and the service that owns the data decides
 * what that caller may do.
 */
export const SignedPrincipalSchema = z.strictObject({ ...PrincipalShape, ...ProofShape });
export type SignedPrincipal = z.infer<typeof SignedPrincipalSchema>;

/**
 * The caller as a handler reads it: the same object, whose proof the transport has checked
 * (optional here only so that a service's own tests can call its handlers without one).
 */
export const PrincipalSchema = z.strictObject({
  ...PrincipalShape,
  correlationId: ProofShape.correlationId.optional(),
  expiresAt: ProofShape.expiresAt.optional(),
  signature: ProofShape.signature.optional(),
});
export type Principal = z.infer<typeof PrincipalSchema>;

/**
 * The address an unauthenticated request came from, as the gateway saw it (behind TRUST_PROXY,
 * the client's): what login's lockout counts failures per, besides the account.
 */
export const ClientAddressSchema = z.string().min(1).max(64).default('unknown');

/** A member of an organization: a user or a machine identity. */
export const MemberSchema = z.strictObject({ type: z.enum(['identity', 'user']), id: z.uuid() });
export type Member = z.infer<typeof MemberSchema>;

export const OrgRoleSchema = z.enum(['admin', 'member', 'no-access'], { error: "Role must be one of 'admin', 'member', 'no-access'" });
export type OrgRole = z.infer<typeof OrgRoleSchema>;

const whole = (what: string) => z.coerce.number({ error: `${what} must be a whole number` }).int({ error: `${what} must be a whole number` });

/** WIRE: list routes take offset (≥ 0) and limit (1–100, default 20); out of range is a 422, never clamped. */
export const PaginationSchema = z.object({
  offset: whole('offset').min(0, { error: 'offset must be at least 0' }).default(0),
  limit: whole('limit').min(1, { error: 'limit must be at least 1' }).max(100, { error: 'limit must be at most 100' }).default(20),
});

/** Control characters (C0, DEL, C1) are refused in names: they break logs, UIs and slugs. */
export const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/** A display name: trimmed, 1 to `max` characters, no control characters. */
export function nameSchema(what: string, max = 64) {
  return z.string({ error: `${what} is required and must be a string` }).pipe(
    z
      .string()
      .trim()
      .min(1, { error: `${what} must not be empty` })
      .max(max, { error: `${what} must be at most ${max} characters` })
      .regex(NO_CONTROL_CHARACTERS, { error: `${what} must not contain control characters` }),
  );
}
export type Empty = Record<string, never>;

export interface PingReply {
  service: string;
  ok: boolean;
  database: 'up' | 'down';
  /** Orchestrator only: sagas whose rollback keeps failing and that hold the instance claim. */
  attention?: Array<{ sagaId: string; state: string; failedStep: string | null }>;
}

export interface CompensatedReply {
  removed: number;
}

export interface StepTiming {
  name: string;
  durationMs: number;
}

/** WIRE: an email as Infisical takes it: trimmed, stored and compared lower-cased. */
export const EmailSchema = z
  .string({ error: 'Email is required and must be a string' })
  .trim()
  .toLowerCase()
  .max(254, { error: 'Email must be at most 254 characters' })
  .pipe(z.email({ error: 'Email must be a valid email address' }));
