import {
  BOOTSTRAP_EVENTS_STREAM,
  BusSenders,
  BusUser,
  BusUsers,
  CommandSubject,
  Events,
  inboxPrefixOf,
  serviceOfSubject,
  Subjects,
} from '@app/contracts';

/** One NATS user's rights, as nats-server 2.9 reads them. Everything not allowed is denied. */
export interface UserPermissions {
  publish: string[];
  /** Plain subjects, or "subject queue" for a subscription only in that queue group. */
  subscribe: string[];
  /** May publish one reply to the reply subject of each request it received. */
  allowResponses: boolean;
}

const stream = BOOTSTRAP_EVENTS_STREAM;

/**
 * What the orchestrator needs of JetStream, found by trying against nats-server 2.9.10 with the
 * server's permission-violation log lines: look the stream up, create it when it is missing
 * (jetstreamManager({ checkAPI: false }), so no $JS.API.INFO), change its replicas to fit the
 * cluster (…STREAM.UPDATE; the cluster's size comes from the server's INFO, which needs no
 * right), and publish the events, whose acks come back on its inbox.
 */
export const ORCHESTRATOR_JETSTREAM: readonly string[] = [
  `$JS.API.STREAM.INFO.${stream}`,
  `$JS.API.STREAM.CREATE.${stream}`,
  `$JS.API.STREAM.UPDATE.${stream}`,
];

/**
 * What a read-only subscriber needs to consume the stream, found the same way with an ordered
 * pull consumer (js.consumers.get), an ordered push consumer bound to the stream, a durable pull
 * consumer (create, info, fetch / next, ack, delete) and an ephemeral one made with
 * jsm.consumers.add. Nothing lists streams, reads a message by sequence, purges or deletes the
 * stream. An ordered push consumer must bind the stream by name (bindStream): finding it by
 * subject would need $JS.API.STREAM.NAMES.
 */
export const EVENTS_READER_JETSTREAM: readonly string[] = [
  `$JS.API.STREAM.INFO.${stream}`, // ordered pull consumers read the stream's info first
  `$JS.API.CONSUMER.CREATE.${stream}`, // an unnamed (ephemeral) consumer: push ordered, jsm.consumers.add
  `$JS.API.CONSUMER.CREATE.${stream}.>`, // a named or durable consumer, with an optional filter token
  `$JS.API.CONSUMER.INFO.${stream}.*`,
  `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`, // pull requests
  `$JS.API.CONSUMER.DELETE.${stream}.*`,
  `$JS.ACK.${stream}.>`, // acks of an explicit-ack (durable) consumer
  `$JS.FC.${stream}.>`, // flow-control replies of a push consumer
];

const ALL_SUBJECTS: CommandSubject[] = Object.values(Subjects).flatMap((domain) => Object.values(domain) as CommandSubject[]);

/** The rights of every user, derived from the contracts: BusSenders, serviceOfSubject and the events. */
export function busPermissions(): Record<BusUser, UserPermissions> {
  const forUser = (user: BusUser): UserPermissions => {
    const answers = ALL_SUBJECTS.filter((subject) => serviceOfSubject(subject) === user);
    const publish: string[] = [...BusSenders[user]];
    if (user === 'saga-orchestrator') publish.push(...ORCHESTRATOR_JETSTREAM, ...Object.values(Events));
    if (user === 'events-reader') publish.push(...EVENTS_READER_JETSTREAM);
    return {
      publish: [...new Set(publish)].sort(),
      // A service answers in the queue group named after it (runMicroservice), and only there.
      subscribe: [...answers.map((subject) => `${subject} ${user}`).sort(), `${inboxPrefixOf(user)}.>`],
      allowResponses: answers.length > 0,
    };
  };
  return Object.fromEntries(BusUsers.map((user) => [user, forUser(user)])) as Record<BusUser, UserPermissions>;
}

/** The configuration variable holding a user's permissions block: events-reader → EVENTS_READER. */
export function permissionsVariable(user: BusUser): string {
  return user.toUpperCase().replace(/-/g, '_');
}

const list = (subjects: string[]) => subjects.map((subject) => `      ${JSON.stringify(subject)}`).join('\n');

/** deploy/nats/permissions.conf: one variable per user, for nats-server.conf's users to reference. */
export function renderPermissionsConf(permissions: Record<BusUser, UserPermissions> = busPermissions()): string {
  const blocks = BusUsers.map((user) => {
    const p = permissions[user];
    const lines = [
      `${permissionsVariable(user)} = {`,
      '  publish: {',
      p.publish.length > 0 ? `    allow: [\n${list(p.publish)}\n    ]` : '    deny: [">"]',
      '  }',
      '  subscribe: {',
      `    allow: [\n${list(p.subscribe)}\n    ]`,
      '  }',
    ];
    if (p.allowResponses) lines.push('  allow_responses: true');
    lines.push('}');
    return lines.join('\n');
  });
  return [
    '# GENERATED from libs/contracts (BusSenders, Subjects, Events) by libs/nats-auth: do not edit.',
    '# A test fails when this file is stale; regenerate it with',
    '#   npm run nats:config -- --permissions deploy/nats/permissions.conf',
    '# One variable per NATS user; nats-server.conf includes this file and gives each user its block.',
    '# Anything not allowed is denied. No user may publish or subscribe to ">".',
    '',
    blocks.join('\n\n'),
    '',
  ].join('\n');
}
