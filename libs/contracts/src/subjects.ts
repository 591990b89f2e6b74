/*
 * WIRE API. Subject names are the contract between independently deployed services, and the
 * event subjects are public: users subscribe to them. Never rename or repurpose one; add new
 * subjects instead.
 */
export const Subjects = {
  bootstrap: {
    start: 'bootstrap.cmd.start',
    getState: 'bootstrap.cmd.get-state',
    ping: 'bootstrap.cmd.ping',
  },
  user: {
    createAdmin: 'user.cmd.create-admin',
    delete: 'user.cmd.delete',
    verifyPassword: 'user.cmd.verify-password',
    ping: 'user.cmd.ping',
  },
  organization: {
    create: 'organization.cmd.create',
    delete: 'organization.cmd.delete',
    addIdentityMembership: 'organization.cmd.add-identity-membership',
    removeIdentityMembership: 'organization.cmd.remove-identity-membership',
    ping: 'organization.cmd.ping',
  },
  identity: {
    createInstanceAdmin: 'identity.cmd.create-instance-admin',
    delete: 'identity.cmd.delete',
    reissueInstanceAdminToken: 'identity.cmd.reissue-instance-admin-token',
    authenticate: 'identity.cmd.authenticate',
    ping: 'identity.cmd.ping',
  },
} as const;

/** Public events, published to the JetStream stream below. */
export const Events = {
  bootstrapStarted: 'bootstrap.evt.started',
  bootstrapCompleted: 'bootstrap.evt.completed',
  bootstrapFailed: 'bootstrap.evt.failed',
} as const;

export const BOOTSTRAP_EVENTS_STREAM = 'BOOTSTRAP_EVENTS';
export const BOOTSTRAP_EVENTS_SUBJECTS = 'bootstrap.evt.>';

/** Each service answers in a queue group named after itself, so replicas share the load. */
export const ServiceNames = {
  orchestrator: 'saga-orchestrator',
  user: 'user-service',
  organization: 'organization-service',
  identity: 'identity-service',
} as const;
export type ServiceName = (typeof ServiceNames)[keyof typeof ServiceNames];

/** Message headers carried on every bus message. */
export const BusHeaders = {
  correlationId: 'x-correlation-id',
  causationId: 'x-causation-id',
  messageId: 'x-message-id',
} as const;
