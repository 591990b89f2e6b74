import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BusSenders, BusUser, serviceOfSubject, Subjects } from '@app/contracts';

// Walks the sources so that BusSenders (from which the NATS permissions are generated) can miss
// no sender and grant no right that no code uses: a send the map lacks would be refused by NATS
// in production, a right the map has in excess is one an intruder could use.

const ROOT = join(__dirname, '..');
const APPS: BusUser[] = ['api-gateway', 'saga-orchestrator', 'user-service', 'organization-service', 'identity-service'];
const ALL_SUBJECTS: string[] = Object.values(Subjects).flatMap((domain) => Object.values(domain));
const SUBJECT_OF_KEY = new Map<string, string>(
  Object.entries(Subjects).flatMap(([domain, subjects]) => Object.entries(subjects).map(([key, subject]) => [`${domain}.${key}`, subject])),
);

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return /\.ts$/.test(entry) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry) ? [readFileSync(path, 'utf8')] : [];
  });
}

/** Every command subject a text names, as `Subjects.<domain>.<key>` or as a literal. */
function subjectsNamedIn(text: string): Set<string> {
  const named = new Set<string>();
  for (const [, key] of text.matchAll(/\bSubjects\.(\w+\.\w+)/g)) {
    const subject = SUBJECT_OF_KEY.get(key);
    if (subject === undefined) throw new Error(`Subjects.${key} is not a subject`);
    named.add(subject);
  }
  for (const [literal] of text.matchAll(/\b(?:bootstrap|user|organization|identity)\.cmd\.[a-z-]+/g)) named.add(literal);
  return named;
}

/** The commands of libs/common's OrganizationDirectory, by method: apps send them by calling it. */
function directoryCommands(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'libs/common/src/bus/organization-directory.ts'), 'utf8');
  const body = text.slice(text.indexOf('class BusOrganizationDirectory'));
  const commands = new Map<string, string>();
  for (const [, method, key] of body.matchAll(/async (\w+)\([^)]*\)[^{]*\{\s*[^}]*?\bSubjects\.(\w+\.\w+)/g)) {
    commands.set(method, SUBJECT_OF_KEY.get(key)!);
  }
  return commands;
}

/** What an app's code sends: every foreign command it names, and the directory's commands it calls. */
function sentBy(app: BusUser): string[] {
  const text = sourcesUnder(join(ROOT, 'apps', app, 'src')).join('\n');
  const sent = [...subjectsNamedIn(text)].filter((subject) => serviceOfSubject(subject) !== app);
  if (text.includes('OrganizationDirectory')) {
    for (const [method, subject] of directoryCommands()) if (new RegExp(`\\.${method}\\(`).test(text)) sent.push(subject);
  }
  return [...new Set(sent)].sort();
}

function answeredBy(app: BusUser): string[] {
  const text = sourcesUnder(join(ROOT, 'apps', app, 'src')).join('\n');
  // Handlers, and those libs/database makes: the bus health probe (pingController(subject, service))
  // and the end of a saga (finishSagaController(subject)).
  const patterns = /(?:@MessagePattern|pingController|finishSagaController)\(\s*Subjects\.(\w+\.\w+)\s*[,)]/g;
  return [...text.matchAll(patterns)].map(([, key]) => SUBJECT_OF_KEY.get(key)!).sort();
}

describe('BusSenders (who may send which command)', () => {
  it('has every command subject once', () => {
    expect(new Set(ALL_SUBJECTS).size).toBe(ALL_SUBJECTS.length);
  });

  it('lists only real command subjects', () => {
    const listed = Object.values(BusSenders).flat();
    expect(listed.filter((subject) => !ALL_SUBJECTS.includes(subject))).toEqual([]);
  });

  it('gives every command exactly one answering service, the one its subject names, and that one handles it', () => {
    const handlers = new Map<string, BusUser[]>(ALL_SUBJECTS.map((subject) => [subject, []]));
    for (const app of APPS) for (const subject of answeredBy(app)) handlers.get(subject)!.push(app);
    const wrong = ALL_SUBJECTS.filter((subject) => {
      const by = handlers.get(subject)!;
      return by.length !== 1 || by[0] !== serviceOfSubject(subject);
    });
    expect(wrong.map((subject) => `${subject}: answered by [${handlers.get(subject)!.join(', ')}]`)).toEqual([]);
  });

  it.each(APPS)('lists exactly the commands %s sends, as its code shows', (app) => {
    expect([...BusSenders[app]].sort()).toEqual(sentBy(app));
  });

  it('has no sender of its own commands, and the event reader sends nothing', () => {
    for (const app of APPS) expect(BusSenders[app].filter((subject) => serviceOfSubject(subject) === app)).toEqual([]);
    expect(BusSenders['events-reader']).toEqual([]);
  });

  it('leaves no command without a sender', () => {
    const sent = new Set(Object.values(BusSenders).flat());
    expect(ALL_SUBJECTS.filter((subject) => !sent.has(subject as never))).toEqual([]);
  });

  it('finds the directory commands it looks for', () => {
    expect([...directoryCommands().values()].sort()).toEqual([Subjects.organization.getMemberRole, Subjects.organization.setIdentityRole].sort());
  });

  it('sees no other command sent from a library', () => {
    const libs = ['common', 'database', 'config'].flatMap((lib) => sourcesUnder(join(ROOT, 'libs', lib, 'src')));
    const named = libs.flatMap((text) => [...subjectsNamedIn(text)]);
    expect([...new Set(named)].sort()).toEqual([Subjects.organization.getMemberRole, Subjects.organization.setIdentityRole].sort());
  });
});
