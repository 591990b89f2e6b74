import { z, ZodType } from 'zod';
import { CreateIdentityBodySchema, IdentityRef, IdentityView } from '../identity';
import { ClientAddressSchema, commandSchema, Empty, EmptySchema, PingReply, PrincipalSchema, StepTiming } from '../shared';
import { UserView } from '../user';
import { BootstrapRequestSchema, BootstrapResponse, IdempotencyKeySchema } from './bootstrap.http';

/** WIRE API: the saga orchestrator's commands. */
export const BootstrapSubjects = {
  start: 'bootstrap.cmd.start',
  getState: 'bootstrap.cmd.get-state',
  ping: 'bootstrap.cmd.ping',
  /** The identity-creation saga: organization membership (authorizes the caller), then the identity. */
  createIdentity: 'bootstrap.cmd.create-identity',
  /*
   * Everything that can remove an instance admin goes through the orchestrator, which
   * serializes these removals and checks that one admin (user or identity) always remains.
   */
  deleteIdentity: 'bootstrap.cmd.delete-identity',
  deleteUser: 'bootstrap.cmd.delete-user',
  revokeIdentityAdmin: 'bootstrap.cmd.revoke-identity-admin',
} as const;

export const BootstrapStartSchema = commandSchema({
  ...BootstrapRequestSchema.shape,
  idempotencyKey: IdempotencyKeySchema.optional(),
  /** For the re-claim's password check, which counts in login's lockout per address. */
  clientAddress: ClientAddressSchema,
  /** The X-Bootstrap-Key header's bytes, base64: the orchestrator checks BOOTSTRAP_KEY again. */
  bootstrapKey: z.string().max(2048).optional(),
});

export const StartCreateIdentitySchema = commandSchema({ ...CreateIdentityBodySchema.shape, caller: PrincipalSchema });
export const RemoveIdentitySchema = commandSchema({ caller: PrincipalSchema, identityId: z.uuid() });
export const RemoveUserSchema = commandSchema({ caller: PrincipalSchema, userId: z.uuid() });

/** The request schema of each command: what its handler validates a payload with (strict). */
export const BootstrapCommandSchemas = {
  [BootstrapSubjects.start]: BootstrapStartSchema,
  [BootstrapSubjects.getState]: EmptySchema,
  [BootstrapSubjects.ping]: EmptySchema,
  [BootstrapSubjects.createIdentity]: StartCreateIdentitySchema,
  [BootstrapSubjects.deleteIdentity]: RemoveIdentitySchema,
  [BootstrapSubjects.deleteUser]: RemoveUserSchema,
  [BootstrapSubjects.revokeIdentityAdmin]: RemoveIdentitySchema,
} as const satisfies Record<(typeof BootstrapSubjects)[keyof typeof BootstrapSubjects], ZodType>;

export interface BootstrapStartReply {
  response: BootstrapResponse;
  timings: StepTiming[];
}
export interface InstanceStateReply {
  initialized: boolean;
  bootstrapInProgress: boolean;
}

export interface BootstrapCommands {
  [BootstrapSubjects.start]: { request: z.input<typeof BootstrapStartSchema>; reply: BootstrapStartReply };
  [BootstrapSubjects.getState]: { request: Empty; reply: InstanceStateReply };
  [BootstrapSubjects.ping]: { request: Empty; reply: PingReply };
  [BootstrapSubjects.createIdentity]: { request: z.input<typeof StartCreateIdentitySchema>; reply: { identity: IdentityView } };
  [BootstrapSubjects.deleteIdentity]: { request: z.input<typeof RemoveIdentitySchema>; reply: { identity: IdentityRef } };
  [BootstrapSubjects.deleteUser]: { request: z.input<typeof RemoveUserSchema>; reply: { user: UserView } };
  [BootstrapSubjects.revokeIdentityAdmin]: { request: z.input<typeof RemoveIdentitySchema>; reply: { identity: IdentityRef } };
}
