import { CommandSchemas } from './commands';
import { Subjects } from './subjects';

const ALL_SUBJECTS = Object.values(Subjects).flatMap((domain) => Object.values(domain) as string[]);

describe('CommandSchemas', () => {
  it('has a request schema for every command subject, and for nothing else', () => {
    expect(Object.keys(CommandSchemas).sort()).toEqual([...ALL_SUBJECTS].sort());
  });

  it.each(ALL_SUBJECTS)('%s refuses a field it does not declare (an event or a reply never passes for it)', (subject) => {
    const schema = CommandSchemas[subject as keyof typeof CommandSchemas];
    const issues = schema.safeParse({ eventId: 'e', occurredAt: 'now' }).error?.issues ?? [];
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'unrecognized_keys', keys: ['eventId', 'occurredAt'] })]));
  });

  it('refuses the public completed event as a compensation, though it carries the saga id', () => {
    const sagaId = '6f1e1c3a-3d4b-4c55-9a1e-2b7f0f5d9c11';
    const event = { eventId: sagaId, sagaId, occurredAt: '2026-12-08T00:00:00Z', user: {}, organization: {}, identity: {} };
    for (const subject of [Subjects.user.undoCreateAdmin, Subjects.organization.undoCreate, Subjects.identity.undoCreateInstanceAdmin]) {
      expect([subject, CommandSchemas[subject].safeParse(event).success]).toEqual([subject, false]);
      expect([subject, CommandSchemas[subject].safeParse({ sagaId }).success]).toEqual([subject, true]);
    }
  });
});
