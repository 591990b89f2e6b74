import { BootstrapSubjects } from './bootstrap/commands';
import { IdentitySubjects } from './identity/commands';
import { OrganizationSubjects } from './organization/commands';
import { UserSubjects } from './user/commands';

/*
 * WIRE API. Command subjects are the contract between independently deployed services: a
 * rename ships with every sender and handler at once. Event subjects are public (users
 * subscribe to them): never rename or repurpose one; add new subjects instead. Each service's
 * commands, payloads and replies live in its own folder here.
 */
export const Subjects = {
  bootstrap: BootstrapSubjects,
  user: UserSubjects,
  organization: OrganizationSubjects,
  identity: IdentitySubjects,
} as const;

/** Public events, published to the JetStream stream below. */
export const Events = {
  bootstrapStarted: 'bootstrap.evt.started',
  bootstrapCompleted: 'bootstrap.evt.completed',
  bootstrapFailed: 'bootstrap.evt.failed',
} as const;

export const BOOTSTRAP_EVENTS_STREAM = 'BOOTSTRAP_EVENTS';
export const BOOTSTRAP_EVENTS_SUBJECTS = 'bootstrap.evt.>';

/**
 * WIRE SECURITY: the events stream and its readers live in a NATS account of their own, apart
 * from the services' (JetStream delivers to any subject a consumer names, unchecked, so no reader
 * may share a subject space with the commands). The services' account imports from it the event
 * subjects (a publish there is stored, its ack comes back) and the stream's own JetStream API,
 * under this prefix: its own `$JS.API` answers "JetStream not enabled" first.
 */
export const EVENTS_JS_API_PREFIX = 'EVENTS.JS.API';

/** Each service answers in a queue group named after itself, so replicas share the load. */
export const ServiceNames = {
  orchestrator: 'saga-orchestrator',
  user: 'user-service',
  organization: 'organization-service',
  identity: 'identity-service',
} as const;
export type ServiceName = (typeof ServiceNames)[keyof typeof ServiceNames];

const SERVICE_OF_DOMAIN: Record<keyof typeof Subjects, ServiceName> = {
  bootstrap: ServiceNames.orchestrator,
  user: ServiceNames.user,
  organization: ServiceNames.organization,
  identity: ServiceNames.identity,
};

/** The service that answers a command subject (`user.cmd.…` → user-service). */
export function serviceOfSubject(subject: string): ServiceName | undefined {
  return SERVICE_OF_DOMAIN[subject.split('.')[0] as keyof typeof Subjects];
}

/** Message headers carried on every bus message. */
export const BusHeaders = {
  correlationId: 'x-correlation-id',
  causationId: 'x-causation-id',
  messageId: 'x-message-id',
} as const;
