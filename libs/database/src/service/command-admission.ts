/*
 * What a bus service accepts as a command, before any of Nest's machinery sees it. Publish
 * permissions say who may put a message on a command subject; they do not make every message
 * there a command. JetStream deliveries, NATS status messages, a reply gone astray or a
 * malformed publish reach the subscription too, so only a request in Nest's packet format goes
 * on: a reply subject to answer (a request, not a fire-and-forget event), strict UTF-8 JSON, an
 * object with Nest's `id` and this very subject as `pattern`, within the size a command needs.
 * Everything else is dropped here, where nothing can throw past it.
 */

/**
 * The largest command accepted: an HTTP body (64 KiB at most) and a caller fit with room to spare.
 * The NATS server's own payload limit (1 MiB) applies before this.
 */
export const MAX_COMMAND_BYTES = 128 * 1024;

/** Nest's `id`: the sender's message id (a UUID from our senders). */
const MAX_ID_LENGTH = 128;

/** Why a message was not taken as a command: a closed set, for the metric's label. */
export type DropReason = 'no-reply' | 'too-large' | 'not-json' | 'not-a-request' | 'wrong-subject';

export type Admission = { ok: true; id: string; data: unknown } | { ok: false; reason: DropReason };

export interface IncomingMessage {
  readonly reply?: string;
  readonly data: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The command in `message`, received on `subject`, or why it is not one. Never throws. */
export function admitCommand(subject: string, message: IncomingMessage): Admission {
  if (message.reply === undefined || message.reply === '') return { ok: false, reason: 'no-reply' };
  if (message.data.length > MAX_COMMAND_BYTES) return { ok: false, reason: 'too-large' };
  let packet: unknown;
  try {
    packet = JSON.parse(utf8.decode(message.data));
  } catch {
    // Not UTF-8, not JSON (an empty status message among them), or nested past the stack.
    return { ok: false, reason: 'not-json' };
  }
  if (!isRecord(packet) || typeof packet.id !== 'string' || packet.id === '' || packet.id.length > MAX_ID_LENGTH) {
    return { ok: false, reason: 'not-a-request' };
  }
  if (packet.pattern !== subject) return { ok: false, reason: 'wrong-subject' };
  return { ok: true, id: packet.id, data: packet.data };
}
