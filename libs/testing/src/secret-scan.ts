import { execFileSync } from 'node:child_process';
import { TestStack } from './stack';

/**
 * Every message of every JetStream stream on the stack's NATS server, as text (subjects, headers,
 * data), read as the events-reader user through an ordered consumer: a stream that user may not
 * read fails the scan rather than going unscanned.
 */
async function allStreamMessages(stack: TestStack): Promise<string> {
  const streams = await stack.nats.streams();
  const nc = await stack.natsAs('events-reader');
  try {
    const texts: string[] = [];
    for (const { name, messages } of streams) {
      if (messages === 0) continue;
      const consumer = await nc.jetstream().consumers.get(name);
      const all = await consumer.consume();
      for await (const m of all) {
        texts.push(m.subject, m.string(), JSON.stringify(m.headers ? [...m.headers] : []));
        if (m.info.pending === 0) break;
      }
      await all.close();
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
    streams: await allStreamMessages(stack),
  };
  return Object.fromEntries(
    Object.entries(secrets).map(([name, secret]) => [name, Object.entries(places).filter(([, text]) => text.includes(secret)).map(([place]) => place)]),
  );
}
