import { z, ZodType } from 'zod';
import { commandSchema, CompensatedReply, CompensateSchema, Empty, EmptySchema, FinishSagaSchema, PaginationSchema, PingReply, PrincipalSchema, SagaIdSchema, SignedPrincipal } from '../shared';
import {
  AttachTokenAuthBodySchema,
  CreateTokenBodySchema,
  REVOKED_MESSAGE,
  RevokePresentedTokenBodySchema,
  ttlWithinMaxTtl,
  ttlWithinMaxTtlIssue,
  UpdateIdentityBodySchema,
} from './http';
import type { AccessTokenView, AdminIdentityView, IdentityDetail, IdentityRef, IdentityView, MintedToken, TokenAuthView } from './views';

/** WIRE API: identity-service's commands. A saga step's compensation is named after the step it undoes. */
export const IdentitySubjects = {
  createInstanceAdmin: 'identity.cmd.create-instance-admin',
  undoCreateInstanceAdmin: 'identity.cmd.undo-create-instance-admin',
  /** See FinishSagaSchema: a replayed create-instance-admin then signs no token. */
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

export const CreateInstanceAdminIdentitySchema = commandSchema({
  sagaId: SagaIdSchema,
  organizationId: z.uuid(),
});
export const ReissueInstanceAdminTokenSchema = commandSchema({ identityId: z.uuid() });
export const AuthenticateSchema = commandSchema({ token: z.string().min(1).max(8192) });

const targeted = { caller: PrincipalSchema, identityId: z.uuid() };

/** A saga step of the identity-creation saga: the id is chosen by the orchestrator, so the membership can come first. */
export const CreateIdentitySchema = commandSchema({
  sagaId: SagaIdSchema,
  caller: PrincipalSchema,
  identityId: z.uuid(),
  name: z.string().min(1).max(64),
  organizationId: z.uuid(),
});
export const GetIdentitySchema = commandSchema(targeted);
export const UpdateIdentitySchema = commandSchema({ ...targeted, ...UpdateIdentityBodySchema.shape });
/** Sent by the orchestrator, which serializes admin removals: `lastAdmin` says no other admin would remain. */
export const DeleteIdentitySchema = commandSchema({ ...targeted, lastAdmin: z.boolean() });
export const RevokeInstanceAdminSchema = commandSchema({ ...targeted, lastAdmin: z.boolean() });
export const AttachTokenAuthSchema = commandSchema({ ...targeted, ...AttachTokenAuthBodySchema.shape }).refine(ttlWithinMaxTtl, ttlWithinMaxTtlIssue);
export const CreateTokenSchema = commandSchema({ ...targeted, ...CreateTokenBodySchema.shape });
export const ListTokensSchema = commandSchema({ ...targeted, ...PaginationSchema.shape });
export const RevokeTokenSchema = commandSchema({ caller: PrincipalSchema, tokenId: z.uuid() });
export const RevokePresentedTokenSchema = commandSchema({ token: RevokePresentedTokenBodySchema.shape.accessToken });
export const ListIdentitiesSchema = commandSchema({ ...PaginationSchema.shape, caller: PrincipalSchema, searchTerm: z.string().max(64).default('') });

/** The request schema of each command: what its handler validates a payload with (strict). */
export const IdentityCommandSchemas = {
  [IdentitySubjects.createInstanceAdmin]: CreateInstanceAdminIdentitySchema,
  [IdentitySubjects.undoCreateInstanceAdmin]: CompensateSchema,
  [IdentitySubjects.finishSaga]: FinishSagaSchema,
  [IdentitySubjects.reissueInstanceAdminToken]: ReissueInstanceAdminTokenSchema,
  [IdentitySubjects.authenticate]: AuthenticateSchema,
  [IdentitySubjects.create]: CreateIdentitySchema,
  [IdentitySubjects.undoCreate]: CompensateSchema,
  [IdentitySubjects.get]: GetIdentitySchema,
  [IdentitySubjects.update]: UpdateIdentitySchema,
  [IdentitySubjects.delete]: DeleteIdentitySchema,
  [IdentitySubjects.attachTokenAuth]: AttachTokenAuthSchema,
  [IdentitySubjects.createToken]: CreateTokenSchema,
  [IdentitySubjects.listTokens]: ListTokensSchema,
  [IdentitySubjects.revokeToken]: RevokeTokenSchema,
  [IdentitySubjects.revokePresentedToken]: RevokePresentedTokenSchema,
  [IdentitySubjects.list]: ListIdentitiesSchema,
  [IdentitySubjects.listAdminIds]: EmptySchema,
  [IdentitySubjects.revokeInstanceAdmin]: RevokeInstanceAdminSchema,
  [IdentitySubjects.ping]: EmptySchema,
} as const satisfies Record<(typeof IdentitySubjects)[keyof typeof IdentitySubjects], ZodType>;

export interface CreateInstanceAdminIdentityReply {
  identity: { id: string; name: string; orgId: string; isInstanceAdmin: boolean };
  /** The signed root credential. Travels only in this reply; never logged or persisted. */
  accessToken: { id: string; token: string };
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
  [IdentitySubjects.authenticate]: { request: z.input<typeof AuthenticateSchema>; reply: SignedPrincipal };
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
