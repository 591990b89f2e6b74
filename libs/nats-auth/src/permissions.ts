import {
  BOOTSTRAP_EVENTS_STREAM,
  BOOTSTRAP_EVENTS_SUBJECTS,
  BusSenders,
  BusUser,
  BusUsers,
  CommandSubject,
  Events,
  EVENTS_JS_API_PREFIX,
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

/** The two NATS accounts: the services', and the events stream's with its readers (see EVENTS_JS_API_PREFIX). */
export const SERVICES_ACCOUNT = 'SERVICES';
export const EVENTS_ACCOUNT = 'EVENTS';
export type NatsAccount = typeof SERVICES_ACCOUNT | typeof EVENTS_ACCOUNT;

/** The account a user connects in: event readers apart from everything that answers commands. */
export function accountOf(user: BusUser): NatsAccount {
  return user === 'events-reader' ? EVENTS_ACCOUNT : SERVICES_ACCOUNT;
}

/** What the events account offers the services' account: the event subjects, and these stream operations. */
const STREAM_OPERATIONS = ['INFO', 'CREATE', 'UPDATE'] as const;

/**
 * What the orchestrator needs of JetStream, found by trying against nats-server 2.9.10 with the
 * server's permission-violation log lines: look the stream up, create it when it is missing
 * (jetstreamManager({ checkAPI: false }), so no $JS.API.INFO), change its replicas and limits
 * (…STREAM.UPDATE; the cluster's size comes from the server's INFO, which needs no right), all
 * through the events account's imported API; and publish the events, whose acks come back on
 * its inbox.
 */
export const ORCHESTRATOR_JETSTREAM: readonly string[] = STREAM_OPERATIONS.map((op) => `${EVENTS_JS_API_PREFIX}.STREAM.${op}.${stream}`);

/**
 * What a read-only subscriber needs to consume the stream, found the same way with an ordered
 * pull consumer (js.consumers.get), an ordered push consumer bound to the stream, and an
 * ephemeral pull consumer made with jsm.consumers.add (create, info, fetch / next, ack). Nothing
 * lists streams or consumers, reads a message by sequence, purges or deletes the stream, or
 * deletes a consumer: ephemeral consumers go away on their own when idle (an ordered pull
 * consumer tries to delete its old one on a reset, is refused, and carries on). An ordered push
 * consumer must bind the stream by name (bindStream): finding it by subject would need
 * $JS.API.STREAM.NAMES.
 */
export const EVENTS_READER_JETSTREAM: readonly string[] = [
  `$JS.API.STREAM.INFO.${stream}`, // ordered pull consumers read the stream's info first
  `$JS.API.CONSUMER.CREATE.${stream}`, // an unnamed (ephemeral) consumer: push ordered, jsm.consumers.add
  `$JS.API.CONSUMER.CREATE.${stream}.>`, // a named consumer (an ordered pull one), with an optional filter token
  `$JS.API.CONSUMER.INFO.${stream}.*`,
  `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`, // pull requests
  `$JS.ACK.${stream}.>`, // acks of an explicit-ack consumer
  `$JS.FC.${stream}.>`, // flow-control replies of a push consumer
];

/**
 * Bounds per account (nats-server 2.9 has none per user in a configuration file): connections,
 * subscriptions and the largest message a client may publish; for the events account also its
 * JetStream storage and the consumers its readers may keep (per stream). The services' bounds
 * are far above what they use (two connections and a subscription per command per replica); the
 * readers' keep anyone holding the read-only credential from exhausting the server.
 */
export const ACCOUNT_LIMITS: Record<NatsAccount, { max_connections: number; max_subscriptions: number; max_payload: number }> = {
  [SERVICES_ACCOUNT]: { max_connections: 1_000, max_subscriptions: 10_000, max_payload: 1024 * 1024 },
  [EVENTS_ACCOUNT]: { max_connections: 100, max_subscriptions: 1_000, max_payload: 64 * 1024 },
};
export const EVENTS_JETSTREAM_LIMITS = { max_mem: 64 * 1024 * 1024, max_file: 1024 * 1024 * 1024, max_streams: 1, max_consumers: 100 };

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

/** The configuration variable holding one part of an account's block: SERVICES_IMPORTS, EVENTS_LIMITS… */
export function accountVariable(account: NatsAccount, part: 'IMPORTS' | 'EXPORTS' | 'LIMITS' | 'JETSTREAM'): string {
  return `${account}_${part}`;
}

const list = (subjects: string[]) => subjects.map((subject) => `      ${JSON.stringify(subject)}`).join('\n');
const map = (values: Record<string, number>) => `{ ${Object.entries(values).map(([k, v]) => `${k}: ${v}`).join(', ')} }`;

/** The events account's exports (to the services' account only) and their imports there. */
function accountBlocks(): string[] {
  const api = STREAM_OPERATIONS.map((op) => `STREAM.${op}.${stream}`);
  const offered = [BOOTSTRAP_EVENTS_SUBJECTS, ...api.map((s) => `$JS.API.${s}`)].map(
    (subject) => `  { service: ${JSON.stringify(subject)}, accounts: [${SERVICES_ACCOUNT}] }`,
  );
  const imports = [
    `  { service: { account: ${EVENTS_ACCOUNT}, subject: ${JSON.stringify(BOOTSTRAP_EVENTS_SUBJECTS)} } }`,
    ...api.map((s) => `  { service: { account: ${EVENTS_ACCOUNT}, subject: ${JSON.stringify(`$JS.API.${s}`)} }, to: ${JSON.stringify(`${EVENTS_JS_API_PREFIX}.${s}`)} }`),
  ];
  return [
    `${accountVariable(EVENTS_ACCOUNT, 'EXPORTS')} = [\n${offered.join('\n')}\n]`,
    `${accountVariable(SERVICES_ACCOUNT, 'IMPORTS')} = [\n${imports.join('\n')}\n]`,
    `${accountVariable(SERVICES_ACCOUNT, 'LIMITS')} = ${map(ACCOUNT_LIMITS[SERVICES_ACCOUNT])}`,
    `${accountVariable(EVENTS_ACCOUNT, 'LIMITS')} = ${map(ACCOUNT_LIMITS[EVENTS_ACCOUNT])}`,
    `${accountVariable(EVENTS_ACCOUNT, 'JETSTREAM')} = ${map(EVENTS_JETSTREAM_LIMITS)}`,
  ];
}

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
    `# The accounts: ${SERVICES_ACCOUNT} (the services) and ${EVENTS_ACCOUNT} (the events stream and its readers), which`,
    `# offers ${SERVICES_ACCOUNT} the event subjects and the stream's API; nothing goes the other way. Their bounds.`,
    accountBlocks().join('\n\n'),
    '',
  ].join('\n');
}
