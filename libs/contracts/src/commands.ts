import { z } from 'zod';
import { BootstrapRequestSchema, BootstrapResponse, IdempotencyKeySchema, OrganizationView, UserView } from './bootstrap';
import { Subjects } from './subjects';

/*
 * WIRE API: request payloads are validated on arrival (a handler never trusts its sender);
 * replies are typed here. Every saga command carries the saga id, and participants are
 * idempotent on it.
 */

const sagaId = z.uuid();
const SagaScoped = z.object({ sagaId });

export const EmptySchema = z.object({});

export const BootstrapStartSchema = BootstrapRequestSchema.extend({ idempotencyKey: IdempotencyKeySchema.optional() });
export const CreateAdminUserSchema = z.object({
  sagaId,
  email: z.email(),
  password: z.string().min(1).max(1024),
});
export const CreateOrganizationSchema = z.object({
  sagaId,
  name: z.string().min(1).max(64),
  adminUserId: z.uuid(),
});
export const AddIdentityMembershipSchema = z.object({
  sagaId,
  organizationId: z.uuid(),
  identityId: z.uuid(),
});
export const CreateInstanceAdminIdentitySchema = z.object({
  sagaId,
  organizationId: z.uuid(),
});
export const VerifyPasswordSchema = z.object({ userId: z.uuid(), password: z.string().min(1).max(1024) });
export const ReissueInstanceAdminTokenSchema = z.object({ identityId: z.uuid() });
export const AuthenticateSchema = z.object({ token: z.string().min(1).max(8192) });
/** Compensations are keyed on the saga alone: a step that timed out may have run without us learning its ids. */
export const CompensateSchema = SagaScoped;

export interface PingReply {
  service: string;
  ok: boolean;
  database: 'up' | 'down';
  /** Orchestrator only: sagas whose rollback keeps failing and that hold the instance claim. */
  attention?: Array<{ sagaId: string; state: string; failedStep: string | null }>;
}
export interface StepTiming {
  name: string;
  durationMs: number;
}
export interface BootstrapStartReply {
  response: BootstrapResponse;
  timings: StepTiming[];
}
export interface InstanceStateReply {
  initialized: boolean;
  bootstrapInProgress: boolean;
}
export interface CompensatedReply {
  removed: number;
}
export interface CreateInstanceAdminIdentityReply {
  identity: { id: string; name: string; orgId: string; isInstanceAdmin: boolean };
  /** The signed root credential. Travels only in this reply; never logged or persisted. */
  accessToken: { id: string; token: string };
}

/** Who a valid access token belongs to. */
export interface AuthenticatedIdentity {
  identityId: string;
  tokenId: string;
  orgId: string;
  isInstanceAdmin: boolean;
}

/** Ties each command subject to its payload and reply, for the typed bus client. */
export interface CommandMap {
  [Subjects.bootstrap.start]: { request: z.input<typeof BootstrapStartSchema>; reply: BootstrapStartReply };
  [Subjects.bootstrap.getState]: { request: Record<string, never>; reply: InstanceStateReply };
  [Subjects.bootstrap.ping]: { request: Record<string, never>; reply: PingReply };
  [Subjects.user.createAdmin]: { request: z.input<typeof CreateAdminUserSchema>; reply: { user: UserView } };
  [Subjects.user.delete]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [Subjects.user.verifyPassword]: { request: z.input<typeof VerifyPasswordSchema>; reply: { valid: boolean } };
  [Subjects.user.ping]: { request: Record<string, never>; reply: PingReply };
  [Subjects.organization.create]: {
    request: z.input<typeof CreateOrganizationSchema>;
    reply: { organization: OrganizationView };
  };
  [Subjects.organization.delete]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [Subjects.organization.addIdentityMembership]: {
    request: z.input<typeof AddIdentityMembershipSchema>;
    reply: { membershipId: string };
  };
  [Subjects.organization.removeIdentityMembership]: {
    request: z.input<typeof CompensateSchema>;
    reply: CompensatedReply;
  };
  [Subjects.organization.ping]: { request: Record<string, never>; reply: PingReply };
  [Subjects.identity.createInstanceAdmin]: {
    request: z.input<typeof CreateInstanceAdminIdentitySchema>;
    reply: CreateInstanceAdminIdentityReply;
  };
  [Subjects.identity.delete]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [Subjects.identity.reissueInstanceAdminToken]: {
    request: z.input<typeof ReissueInstanceAdminTokenSchema>;
    reply: Pick<CreateInstanceAdminIdentityReply, 'accessToken'>;
  };
  [Subjects.identity.authenticate]: { request: z.input<typeof AuthenticateSchema>; reply: AuthenticatedIdentity };
  [Subjects.identity.ping]: { request: Record<string, never>; reply: PingReply };
}
export type CommandSubject = keyof CommandMap;
export type ReplyOf<S extends CommandSubject> = CommandMap[S]['reply'];
