import { z } from 'zod';
import { CompensatedReply, CompensateSchema, Empty, PaginationSchema, PingReply, PrincipalSchema, SagaIdSchema } from '../shared';
import {
  AttachTokenAuthBodySchema,
  CreateTokenBodySchema,
  REVOKED_MESSAGE,
  RevokePresentedTokenBodySchema,
  UpdateIdentityBodySchema,
} from './http';
import type { AccessTokenView, AdminIdentityView, IdentityDetail, IdentityRef, IdentityView, MintedToken, TokenAuthView } from './views';

/** WIRE API: identity-service's commands. A saga step's compensation is named after the step it undoes. */
export const IdentitySubjects = {
  createInstanceAdmin: 'identity.cmd.create-instance-admin',
  undoCreateInstanceAdmin: 'identity.cmd.undo-create-instance-admin',
  /**
   * Sent by the orchestrator when a saga has completed, before its public event makes the saga
   * id known: identity-service then refuses every step of that saga (SAGA.FINISHED), so a
   * replayed create-instance-admin signs no token. Idempotent; not a compensation.
   */
  finishSaga: 'identity.cmd.finish-saga',
  reissueInstanceAdminToken: 'identity.cmd.reissue-instance-admin-token',
  authenticate: 'identity.cmd.authenticate',
  create: 'identity.cmd.create',
  undoCreate: 'identity.cmd.undo-create',
  get: 'identity.cmd.get',
  update: 'identity.cmd.update',
  delete: 'identity.cmd.delete',
  attachTokenAuth: 'identity.cmd.attach-token-auth',
  createToken: 'identity.cmd.create-token',
  listTokens: 'identity.cmd.list-tokens',
  revokeToken: 'identity.cmd.revoke-token',
  revokePresentedToken: 'identity.cmd.revoke-presented-token',
  list: 'identity.cmd.list',
  listAdminIds: 'identity.cmd.list-admin-ids',
  revokeInstanceAdmin: 'identity.cmd.revoke-instance-admin',
  ping: 'identity.cmd.ping',
} as const;

export const CreateInstanceAdminIdentitySchema = z.object({
  sagaId: SagaIdSchema,
  organizationId: z.uuid(),
});
export const FinishSagaSchema = z.object({ sagaId: SagaIdSchema });
export const ReissueInstanceAdminTokenSchema = z.object({ identityId: z.uuid() });
export const AuthenticateSchema = z.object({ token: z.string().min(1).max(8192) });

const Targeted = z.object({ caller: PrincipalSchema, identityId: z.uuid() });

/** A saga step of the identity-creation saga: the id is chosen by the orchestrator, so the membership can come first. */
export const CreateIdentitySchema = z.object({
  sagaId: SagaIdSchema,
  caller: PrincipalSchema,
  identityId: z.uuid(),
  name: z.string().min(1).max(64),
  organizationId: z.uuid(),
});
export const GetIdentitySchema = Targeted;
export const UpdateIdentitySchema = Targeted.extend(UpdateIdentityBodySchema.shape);
/** Sent by the orchestrator, which serializes admin removals: `lastAdmin` says no other admin would remain. */
export const DeleteIdentitySchema = Targeted.extend({ lastAdmin: z.boolean() });
export const RevokeInstanceAdminSchema = Targeted.extend({ lastAdmin: z.boolean() });
export const AttachTokenAuthSchema = z.intersection(Targeted, AttachTokenAuthBodySchema);
export const CreateTokenSchema = Targeted.extend(CreateTokenBodySchema.shape);
export const ListTokensSchema = Targeted.extend(PaginationSchema.shape);
export const RevokeTokenSchema = z.object({ caller: PrincipalSchema, tokenId: z.uuid() });
export const RevokePresentedTokenSchema = z.object({ token: RevokePresentedTokenBodySchema.shape.accessToken });
export const ListIdentitiesSchema = PaginationSchema.extend({ caller: PrincipalSchema, searchTerm: z.string().max(64).default('') });

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

export interface IdentityCommands {
  [IdentitySubjects.createInstanceAdmin]: {
    request: z.input<typeof CreateInstanceAdminIdentitySchema>;
    reply: CreateInstanceAdminIdentityReply;
  };
  [IdentitySubjects.undoCreateInstanceAdmin]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [IdentitySubjects.finishSaga]: { request: z.input<typeof FinishSagaSchema>; reply: Empty };
  [IdentitySubjects.reissueInstanceAdminToken]: {
    request: z.input<typeof ReissueInstanceAdminTokenSchema>;
    reply: Pick<CreateInstanceAdminIdentityReply, 'accessToken'>;
  };
  /** TOKEN.INVALID (signature, alg, expiry, shape) or TOKEN.REVOKED (revoked, or its identity deleted). */
  [IdentitySubjects.authenticate]: { request: z.input<typeof AuthenticateSchema>; reply: AuthenticatedIdentity };
  [IdentitySubjects.create]: { request: z.input<typeof CreateIdentitySchema>; reply: { identity: IdentityView } };
  [IdentitySubjects.undoCreate]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [IdentitySubjects.get]: { request: z.input<typeof GetIdentitySchema>; reply: { identity: IdentityDetail } };
  [IdentitySubjects.update]: { request: z.input<typeof UpdateIdentitySchema>; reply: { identity: IdentityView } };
  [IdentitySubjects.delete]: { request: z.input<typeof DeleteIdentitySchema>; reply: { identity: IdentityRef } };
  [IdentitySubjects.attachTokenAuth]: { request: z.input<typeof AttachTokenAuthSchema>; reply: { identityTokenAuth: TokenAuthView } };
  [IdentitySubjects.createToken]: { request: z.input<typeof CreateTokenSchema>; reply: MintedToken };
  [IdentitySubjects.listTokens]: { request: z.input<typeof ListTokensSchema>; reply: { tokens: AccessTokenView[] } };
  [IdentitySubjects.revokeToken]: { request: z.input<typeof RevokeTokenSchema>; reply: { message: typeof REVOKED_MESSAGE } };
  [IdentitySubjects.revokePresentedToken]: { request: z.input<typeof RevokePresentedTokenSchema>; reply: { message: typeof REVOKED_MESSAGE } };
  [IdentitySubjects.list]: { request: z.input<typeof ListIdentitiesSchema>; reply: { identities: AdminIdentityView[]; total: number } };
  /** The instance-admin identities, for the orchestrator's "never zero admins" check and the admin config. */
  [IdentitySubjects.listAdminIds]: { request: Empty; reply: { ids: string[] } };
  [IdentitySubjects.revokeInstanceAdmin]: { request: z.input<typeof RevokeInstanceAdminSchema>; reply: { identity: IdentityRef } };
  [IdentitySubjects.ping]: { request: Empty; reply: PingReply };
}
