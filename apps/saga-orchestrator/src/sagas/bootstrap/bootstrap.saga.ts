import { OrganizationView, Subjects, UserView } from '@app/contracts';
import { InstanceService } from '../../instance/instance.service';
import { command, SagaContext, SagaDefinition, step } from '../../saga-engine/saga.types';

/** Persisted with the saga: ids and names only. */
export interface BootstrapData {
  email: string;
  organizationName: string;
  /** Chosen here, so the organization need not wait for the user's password hash. */
  userId: string;
  user?: UserView;
  organization?: OrganizationView;
  identity?: { id: string; name: string };
  accessTokenId?: string;
  /**
   * HMAC-SHA256 (BOOTSTRAP_RECLAIM_SECRET) of the caller's Idempotency-Key, hex, for re-claiming
   * the root credential; only for keys that can re-claim (see reclaim-key.ts).
   */
  idempotencyKeyDigest?: string;
}

/** Never persisted: the password going in and the root token coming out. */
export interface BootstrapTransient {
  password: string;
  token?: string;
}

type Ctx = SagaContext<BootstrapData, BootstrapTransient>;

function must<V>(value: V | undefined, what: string): V {
  if (value === undefined) throw new Error(`bootstrap saga is missing ${what}`);
  return value;
}

/**
 * The bootstrap, declared: the admin user (its password hash is most of the saga's time) side
 * by side with organization (the user as admin, by the id chosen here) → instance-admin identity
 * with Token Auth and its signed token → the identity's admin membership; then, with all of
 * them done, the instance marked initialized (the commit point). Each bus step has its
 * compensation, named after the step it undoes and keyed on the saga id alone.
 */
export function bootstrapSaga(instance: InstanceService): SagaDefinition<BootstrapData, BootstrapTransient> {
  return {
    type: 'bootstrap',
    label: 'Bootstrap',
    steps: [
      command({
        name: 'user',
        after: [],
        command: Subjects.user.createAdmin,
        payload: (ctx: Ctx) => ({ sagaId: ctx.sagaId, userId: ctx.data.userId, email: ctx.data.email, password: ctx.transient.password }),
        onReply: (ctx, reply) => {
          ctx.data.user = reply.user;
        },
        undo: Subjects.user.undoCreateAdmin,
      }),
      command({
        name: 'organization',
        after: [],
        command: Subjects.organization.create,
        payload: (ctx: Ctx) => ({ sagaId: ctx.sagaId, name: ctx.data.organizationName, adminUserId: ctx.data.userId }),
        onReply: (ctx, reply) => {
          ctx.data.organization = reply.organization;
        },
        undo: Subjects.organization.undoCreate,
      }),
      command({
        name: 'identity',
        after: ['organization'],
        command: Subjects.identity.createInstanceAdmin,
        payload: (ctx: Ctx) => ({ sagaId: ctx.sagaId, organizationId: must(ctx.data.organization, 'the organization').id }),
        onReply: (ctx, reply) => {
          ctx.data.identity = { id: reply.identity.id, name: reply.identity.name };
          ctx.data.accessTokenId = reply.accessToken.id;
          ctx.transient.token = reply.accessToken.token;
        },
        undo: Subjects.identity.undoCreateInstanceAdmin,
      }),
      command({
        name: 'membership',
        after: ['organization', 'identity'],
        command: Subjects.organization.addIdentityMembership,
        payload: (ctx: Ctx) => ({
          sagaId: ctx.sagaId,
          organizationId: must(ctx.data.organization, 'the organization').id,
          identityId: must(ctx.data.identity, 'the identity').id,
        }),
        undo: Subjects.organization.undoAddIdentityMembership,
      }),
      step({
        name: 'initialize',
        invoke: (ctx: Ctx) => instance.markInitialized(ctx.sagaId),
      }),
    ],
  };
}
