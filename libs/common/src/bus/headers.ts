import { BusHeaders } from '@app/contracts';
import { headers, MsgHdrs } from 'nats';

/** The three headers every bus message carries, commands and events alike. */
export function busHeaders(ids: { correlationId: string; causationId: string; messageId: string }): MsgHdrs {
  const h = headers();
  h.set(BusHeaders.correlationId, ids.correlationId);
  h.set(BusHeaders.causationId, ids.causationId);
  h.set(BusHeaders.messageId, ids.messageId);
  return h;
}
