import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BusSenders, BusUsers, Events, serviceOfSubject, Subjects } from '@app/contracts';
import { accountOf, busPermissions, EVENTS_READER_JETSTREAM, ORCHESTRATOR_JETSTREAM, permissionsVariable, renderPermissionsConf } from './permissions';

const SHIPPED = join(__dirname, '..', '..', '..', 'deploy', 'nats', 'permissions.conf');
const ALL_SUBJECTS: string[] = Object.values(Subjects).flatMap((domain) => Object.values(domain));
const SERVICES = BusUsers.filter((user) => user !== 'events-reader');

describe(busPermissions.name, () => {
  const permissions = busPermissions();

  it('has a block for every user: the five services by app name and events-reader', () => {
    expect(Object.keys(permissions).sort()).toEqual(
      ['api-gateway', 'events-reader', 'identity-service', 'organization-service', 'saga-orchestrator', 'user-service'].sort(),
    );
  });

  it.each(SERVICES)('lets %s publish exactly the commands it sends (plus the orchestrator its stream and events)', (user) => {
    const extra = user === 'saga-orchestrator' ? [...ORCHESTRATOR_JETSTREAM, ...Object.values(Events)] : [];
    expect(permissions[user].publish.sort()).toEqual([...BusSenders[user], ...extra].sort());
  });

  it.each(SERVICES)('lets %s subscribe only to the commands it answers, in its queue group, and to its own inbox', (user) => {
    const answered = ALL_SUBJECTS.filter((subject) => serviceOfSubject(subject) === user).map((subject) => `${subject} ${user}`);
    expect(permissions[user].subscribe.sort()).toEqual([...answered, `_INBOX_${user}.>`].sort());
  });

  it('lets the responders, and only them, reply to the requests they receive', () => {
    const responders = BusUsers.filter((user) => permissions[user].allowResponses);
    expect(responders.sort()).toEqual(['identity-service', 'organization-service', 'saga-orchestrator', 'user-service']);
  });

  it('lets events-reader consume BOOTSTRAP_EVENTS and nothing else: no command, no event, no other stream', () => {
    expect(permissions['events-reader']).toEqual({
      publish: [...EVENTS_READER_JETSTREAM].sort(),
      subscribe: ['_INBOX_events-reader.>'],
      allowResponses: false,
    });
    for (const subject of permissions['events-reader'].publish) expect(subject).toMatch(/^\$JS\.(API\.(STREAM|CONSUMER)\.[A-Z.]*BOOTSTRAP_EVENTS|ACK\.BOOTSTRAP_EVENTS|FC\.BOOTSTRAP_EVENTS)(\.|$)/);
    // Not even a consumer: ephemeral ones go away on their own, and another reader's must stay.
    expect(permissions['events-reader'].publish.join()).not.toMatch(/DELETE|PURGE|MSG\.GET|NAMES|LIST|STREAM\.(CREATE|UPDATE)/);
  });

  it("reaches the stream's API from the services' account only through the events account's imports, for the orchestrator only", () => {
    for (const user of SERVICES) {
      expect([user, permissions[user].publish.filter((s) => s.startsWith('$JS.'))]).toEqual([user, []]);
    }
    expect(ORCHESTRATOR_JETSTREAM).toEqual(['INFO', 'CREATE', 'UPDATE'].map((op) => `EVENTS.JS.API.STREAM.${op}.BOOTSTRAP_EVENTS`));
  });

  it('gives no user ">" or a leading wildcard, and wildcards only under its own inbox or the events stream', () => {
    const all = BusUsers.flatMap((user) => [...permissions[user].publish, ...permissions[user].subscribe].map((s) => [user, s.split(' ')[0]] as const));
    const wild = all.filter(([, subject]) => /[*>]/.test(subject));
    expect(all.filter(([, subject]) => subject === '>' || /^[*>](\.|$)/.test(subject))).toEqual([]);
    const allowedWildcard = (user: string, subject: string) =>
      subject === `_INBOX_${user}.>` || /^\$JS\.(API\.CONSUMER\.[A-Z.]+|ACK|FC)\.BOOTSTRAP_EVENTS\.[*>]$/.test(subject);
    expect(wild.filter(([user, subject]) => !allowedWildcard(user, subject))).toEqual([]);
  });

  it('lets nobody but the orchestrator start a bootstrap or send the saga steps that mint a root token', () => {
    const senders = (subject: string) => BusUsers.filter((user) => permissions[user].publish.includes(subject));
    expect(senders(Subjects.bootstrap.start)).toEqual(['api-gateway']);
    expect(senders(Subjects.identity.createInstanceAdmin)).toEqual(['saga-orchestrator']);
    expect(senders(Subjects.identity.reissueInstanceAdminToken)).toEqual(['saga-orchestrator']);
    expect(senders(Subjects.user.createAdmin)).toEqual(['saga-orchestrator']);
  });

  it('lets nobody but the answering service subscribe to a command', () => {
    for (const subject of ALL_SUBJECTS) {
      const subscribers = BusUsers.filter((user) => permissions[user].subscribe.some((s) => s.split(' ')[0] === subject));
      expect([subject, subscribers]).toEqual([subject, [serviceOfSubject(subject)]]);
    }
  });
});

describe(accountOf.name, () => {
  it('puts the event readers in an account of their own, apart from every service', () => {
    expect(accountOf('events-reader')).toBe('EVENTS');
    for (const user of SERVICES) expect([user, accountOf(user)]).toEqual([user, 'SERVICES']);
  });
});

describe(renderPermissionsConf.name, () => {
  it('names one variable per user', () => {
    const conf = renderPermissionsConf();
    for (const user of BusUsers) expect(conf).toMatch(new RegExp(`^${permissionsVariable(user)} = \\{$`, 'm'));
  });

  it('denies every publish to a user that sends nothing of its own (it may still reply)', () => {
    expect(renderPermissionsConf()).toMatch(/ORGANIZATION_SERVICE = \{\n  publish: \{\n    deny: \[">"\]\n  \}/);
  });

  it('lets the events account export only the event subjects and three operations of its stream, to the services account only; nothing goes back', () => {
    const conf = renderPermissionsConf();
    const exports = /^EVENTS_EXPORTS = \[\n([\s\S]*?)\n\]/m.exec(conf)![1].split('\n');
    expect(exports).toEqual(
      ['bootstrap.evt.>', '$JS.API.STREAM.INFO.BOOTSTRAP_EVENTS', '$JS.API.STREAM.CREATE.BOOTSTRAP_EVENTS', '$JS.API.STREAM.UPDATE.BOOTSTRAP_EVENTS'].map(
        (subject) => `  { service: "${subject}", accounts: [SERVICES] }`,
      ),
    );
    expect(conf).not.toMatch(/SERVICES_EXPORTS|EVENTS_IMPORTS|stream: \{/);
  });

  it('bounds each account: connections, subscriptions, payload; the events account also its JetStream storage and consumers', () => {
    const conf = renderPermissionsConf();
    expect(conf).toMatch(/^SERVICES_LIMITS = \{ max_connections: \d+, max_subscriptions: \d+, max_payload: \d+ \}$/m);
    expect(conf).toMatch(/^EVENTS_LIMITS = \{ max_connections: 100, max_subscriptions: 1000, max_payload: 65536 \}$/m);
    expect(conf).toMatch(/^EVENTS_JETSTREAM = \{ max_mem: \d+, max_file: \d+, max_streams: 1, max_consumers: 100 \}$/m);
  });

  it('is what deploy/nats/permissions.conf ships (else: npm run nats:config -- --permissions deploy/nats/permissions.conf)', () => {
    expect(readFileSync(SHIPPED, 'utf8')).toBe(renderPermissionsConf());
  });
});
