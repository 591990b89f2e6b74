import { z } from 'zod';
import { CreateIdentityBodySchema, IdentityRef, IdentityView } from '../identity';
import { Empty, PingReply, PrincipalSchema, StepTiming } from '../shared';
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

export const BootstrapStartSchema = BootstrapRequestSchema.extend({ idempotencyKey: IdempotencyKeySchema.optional() });

export const StartCreateIdentitySchema = CreateIdentityBodySchema.extend({ caller: PrincipalSchema });
export const RemoveIdentitySchema = z.object({ caller: PrincipalSchema, identityId: z.uuid() });
export const RemoveUserSchema = z.object({ caller: PrincipalSchema, userId: z.uuid() });

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
