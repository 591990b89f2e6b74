import { execFileSync } from 'node:child_process';
import { connect } from 'nats';
import { TestStack } from './stack';

/** Every message of every JetStream stream on the stack's NATS server, as text (subjects, headers, data). */
async function allStreamMessages(natsUrl: string): Promise<string> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const texts: string[] = [];
    for await (const stream of jsm.streams.list()) {
      for (let seq = stream.state.first_seq; stream.state.messages > 0 && seq <= stream.state.last_seq; seq += 1) {
        const m = await jsm.streams.getMessage(stream.config.name, { seq }).catch(() => undefined);
        if (m !== undefined) texts.push(m.subject, m.string(), JSON.stringify(m.header ? [...m.header] : []));
      }
    }
    return texts.join('\n');
  } finally {
    await nc.close();
  }
}

export interface SecretSightings {
  /** Where each secret was seen: a subset of "database", "logs", "streams". */
  [name: string]: string[];
}

/**
 * Looks for each secret in a pg_dump of the stack's whole database, in every log line of every
 * process, and in every message of every JetStream stream. An empty list is what hygiene means.
 */
export async function findSecrets(stack: TestStack, secrets: Record<string, string>): Promise<SecretSightings> {
  const places = {
    database: execFileSync('pg_dump', ['--no-owner', stack.db.url], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }),
    logs: stack.allLogs(),
    streams: await allStreamMessages(stack.nats.url),
  };
  return Object.fromEntries(
    Object.entries(secrets).map(([name, secret]) => [name, Object.entries(places).filter(([, text]) => text.includes(secret)).map(([place]) => place)]),
  );
}
