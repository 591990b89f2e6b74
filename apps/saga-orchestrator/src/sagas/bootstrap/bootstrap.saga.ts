import { OrganizationView, Subjects, UserView } from '@app/contracts';
import { BusClient, SendOptions } from '@app/common';
import { InstanceService } from '../../instance/instance.service';
import { SagaContext, SagaDefinition, step } from '../../saga-engine/saga.types';

/** Persisted with the saga: ids and names only. */
export interface BootstrapData {
  email: string;
  organizationName: string;
  user?: UserView;
  organization?: OrganizationView;
  identity?: { id: string; name: string };
  accessTokenId?: string;
  /** sha256 of the caller's Idempotency-Key, for re-claiming the root credential. */
  idempotencyKeyHash?: string;
}

/** Never persisted: the password going in and the root token coming out. */
export interface BootstrapTransient {
  password: string;
  token?: string;
}

type Ctx = SagaContext<BootstrapData, BootstrapTransient>;

export interface BootstrapSagaDeps {
  bus: BusClient;
  instance: InstanceService;
  /** Upper bound of one step's bus request; the saga's remaining time bounds it further. */
  stepTimeoutMs: number;
  /** Bound of one compensation attempt; compensations are retried by the engine. */
  compensationTimeoutMs: number;
}

function must<V>(value: V | undefined, what: string): V {
  if (value === undefined) throw new Error(`bootstrap saga is missing ${what}`);
  return value;
}

/**
 * The bootstrap, declared: admin user → organization with the user as admin → instance-admin
 * identity with Token Auth and its signed token → the identity's admin membership → the
 * instance marked initialized (the commit point). Each bus step has its compensation, keyed on
 * the saga id alone, because a step that timed out may have run without us learning its ids.
 */
export function bootstrapSaga(deps: BootstrapSagaDeps): SagaDefinition<BootstrapData, BootstrapTransient> {
  const run = (ctx: Ctx): SendOptions => ({
    timeoutMs: Math.max(1, Math.min(deps.stepTimeoutMs, ctx.remainingMs())),
    correlationId: ctx.correlationId,
    causationId: ctx.sagaId,
  });
  const undo = (ctx: Ctx): SendOptions => ({
    timeoutMs: deps.compensationTimeoutMs,
    correlationId: ctx.correlationId,
    causationId: ctx.sagaId,
  });

  return {
    type: 'bootstrap',
    steps: [
      step({
        name: 'user',
        invoke: (ctx: Ctx) =>
          deps.bus.send(
            Subjects.user.createAdmin,
            { sagaId: ctx.sagaId, email: ctx.data.email, password: ctx.transient.password },
            run(ctx),
          ),
        onReply: (ctx, reply) => {
          ctx.data.user = reply.user;
        },
        compensate: (ctx) => deps.bus.send(Subjects.user.undoCreateAdmin, { sagaId: ctx.sagaId }, undo(ctx)),
      }),
      step({
        name: 'organization',
        invoke: (ctx: Ctx) =>
          deps.bus.send(
            Subjects.organization.create,
            { sagaId: ctx.sagaId, name: ctx.data.organizationName, adminUserId: must(ctx.data.user, 'the user').id },
            run(ctx),
          ),
        onReply: (ctx, reply) => {
          ctx.data.organization = reply.organization;
        },
        compensate: (ctx) => deps.bus.send(Subjects.organization.undoCreate, { sagaId: ctx.sagaId }, undo(ctx)),
      }),
      step({
        name: 'identity',
        invoke: (ctx: Ctx) =>
          deps.bus.send(
            Subjects.identity.createInstanceAdmin,
            { sagaId: ctx.sagaId, organizationId: must(ctx.data.organization, 'the organization').id },
            run(ctx),
          ),
        onReply: (ctx, reply) => {
          ctx.data.identity = { id: reply.identity.id, name: reply.identity.name };
          ctx.data.accessTokenId = reply.accessToken.id;
          ctx.transient.token = reply.accessToken.token;
        },
        compensate: (ctx) => deps.bus.send(Subjects.identity.undoCreateInstanceAdmin, { sagaId: ctx.sagaId }, undo(ctx)),
      }),
      step({
        name: 'membership',
        invoke: (ctx: Ctx) =>
          deps.bus.send(
            Subjects.organization.addIdentityMembership,
            {
              sagaId: ctx.sagaId,
              organizationId: must(ctx.data.organization, 'the organization').id,
              identityId: must(ctx.data.identity, 'the identity').id,
            },
            run(ctx),
          ),
        compensate: (ctx) =>
          deps.bus.send(Subjects.organization.undoAddIdentityMembership, { sagaId: ctx.sagaId }, undo(ctx)),
      }),
      step({
        name: 'initialize',
        invoke: (ctx: Ctx) => deps.instance.markInitialized(ctx.sagaId),
      }),
    ],
  };
}
