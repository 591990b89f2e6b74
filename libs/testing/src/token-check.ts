import { JSONCodec, NatsConnection } from 'nats';

/**
 * Asks identity-service over the bus whether a token is (still) valid: the check every
 * authenticated route makes. Connect as a user allowed to send it (the gateway's).
 */
export async function authenticateOnBus(nc: NatsConnection, token: string): Promise<{ ok: boolean; code?: string }> {
  const codec = JSONCodec<any>();
  const reply = await nc.request('identity.cmd.authenticate', codec.encode({ pattern: 'identity.cmd.authenticate', data: { token }, id: 't1' }), {
    timeout: 2_000,
  });
  const packet = codec.decode(reply.data);
  return packet.err ? { ok: false, code: packet.err.code } : { ok: true };
}
