/*
 * WIRE API: public event payloads. Subscribers depend on these; only ever add optional fields.
 * No event ever holds a password, a password hash or a token.
 */
interface EventBase {
  eventId: string;
  sagaId: string;
  occurredAt: string;
}
export type BootstrapStartedEvent = EventBase;
export interface BootstrapCompletedEvent extends EventBase {
  user: { id: string; email: string; username: string };
  organization: { id: string; name: string; slug: string };
  identity: { id: string; name: string };
}
export interface BootstrapFailedEvent extends EventBase {
  failedStep: string;
  reason: string;
  compensated: true;
}
