import { z, ZodType } from 'zod';
import { ClientAddressSchema, commandSchema, CompensatedReply, CompensateSchema, Empty, EmptySchema, FinishSagaSchema, PingReply, PrincipalSchema, SagaIdSchema, SignedPrincipal } from '../shared';
import { ListUsersQuerySchema, LoginBodySchema, SelectOrganizationBodySchema } from './http';
import type { UserView } from './views';

/** WIRE API: user-service's commands. A saga step's compensation is named after the step it undoes. */
export const UserSubjects = {
  createAdmin: 'user.cmd.create-admin',
  undoCreateAdmin: 'user.cmd.undo-create-admin',
  finishSaga: 'user.cmd.finish-saga',
  verifyPassword: 'user.cmd.verify-password',
  login: 'user.cmd.login',
  selectOrganization: 'user.cmd.select-organization',
  authenticate: 'user.cmd.authenticate',
  list: 'user.cmd.list',
  listAdminIds: 'user.cmd.list-admin-ids',
  delete: 'user.cmd.delete',
  ping: 'user.cmd.ping',
} as const;

export const CreateAdminUserSchema = commandSchema({
  sagaId: SagaIdSchema,
  /** Chosen by the orchestrator, so the steps that name the user need not wait for its password hash. */
  userId: z.uuid(),
  email: z.email(),
  password: z.string().min(1).max(1024),
});
export const VerifyPasswordSchema = commandSchema({ userId: z.uuid(), password: z.string().min(1).max(1024), clientAddress: ClientAddressSchema });
export const LoginSchema = commandSchema({ ...LoginBodySchema.shape, clientAddress: ClientAddressSchema });
export const SelectOrganizationSchema = commandSchema({ ...SelectOrganizationBodySchema.shape, caller: PrincipalSchema });
export const AuthenticateUserSchema = commandSchema({ token: z.string().min(1).max(8192) });
export const ListUsersSchema = commandSchema({ ...ListUsersQuerySchema.shape, caller: PrincipalSchema });
/**
 * Sent by the orchestrator, which serializes admin removals: `lastAdmin` says that no other
 * admin (user or identity) would remain, so an admin target must be refused.
 */
export const DeleteUserSchema = commandSchema({ caller: PrincipalSchema, userId: z.uuid(), lastAdmin: z.boolean() });

/** The request schema of each command: what its handler validates a payload with (strict). */
export const UserCommandSchemas = {
  [UserSubjects.createAdmin]: CreateAdminUserSchema,
  [UserSubjects.undoCreateAdmin]: CompensateSchema,
  [UserSubjects.finishSaga]: FinishSagaSchema,
  [UserSubjects.verifyPassword]: VerifyPasswordSchema,
  [UserSubjects.login]: LoginSchema,
  [UserSubjects.selectOrganization]: SelectOrganizationSchema,
  [UserSubjects.authenticate]: AuthenticateUserSchema,
  [UserSubjects.list]: ListUsersSchema,
  [UserSubjects.listAdminIds]: EmptySchema,
  [UserSubjects.delete]: DeleteUserSchema,
  [UserSubjects.ping]: EmptySchema,
} as const satisfies Record<(typeof UserSubjects)[keyof typeof UserSubjects], ZodType>;

export interface UserCommands {
  [UserSubjects.createAdmin]: { request: z.input<typeof CreateAdminUserSchema>; reply: { user: UserView } };
  [UserSubjects.undoCreateAdmin]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [UserSubjects.finishSaga]: { request: z.input<typeof FinishSagaSchema>; reply: Empty };
  /**
   * The re-claim's password check, under the login lockout of the user's email from that address
   * (it counts with login attempts): LOGIN.LOCKED while locked. An unknown user id is
   * `valid: false`, after the same argon2 work, counting against nobody. SERVICE.BUSY when more
   * password checks wait than the service takes (see HashGate).
   */
  [UserSubjects.verifyPassword]: { request: z.input<typeof VerifyPasswordSchema>; reply: { valid: boolean } };
  /** Wrong email or password: LOGIN.INVALID_CREDENTIALS; locked out: LOGIN.LOCKED; too many at once: SERVICE.BUSY. */
  [UserSubjects.login]: { request: z.input<typeof LoginSchema>; reply: { accessToken: string } };
  /** A token of the caller's login session, scoped to an organization the caller belongs to. */
  [UserSubjects.selectOrganization]: { request: z.input<typeof SelectOrganizationSchema>; reply: { token: string } };
  /** TOKEN.INVALID (signature, alg, expiry, shape) or TOKEN.REVOKED (session ended, user deleted). */
  /** The principal, signed for this request. */
  [UserSubjects.authenticate]: { request: z.input<typeof AuthenticateUserSchema>; reply: SignedPrincipal };
  [UserSubjects.list]: { request: z.input<typeof ListUsersSchema>; reply: { users: UserView[]; total: number } };
  /** The superAdmin users, for the orchestrator's "never zero admins" check. */
  [UserSubjects.listAdminIds]: { request: Empty; reply: { ids: string[] } };
  [UserSubjects.delete]: { request: z.input<typeof DeleteUserSchema>; reply: { user: UserView } };
  [UserSubjects.ping]: { request: Empty; reply: PingReply };
}
