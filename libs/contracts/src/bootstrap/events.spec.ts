import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { BOOTSTRAP_EVENT_SCHEMAS, bootstrapEventJsonSchemas, eventSchemaFileName } from './events';

const SCHEMA_DIR = join(__dirname, '..', '..', 'schemas');
const committed = (file: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8'));

const base = {
  eventId: '4b0c8a52-9c1e-4d8e-9f43-0f6f0d3f1c11',
  sagaId: '0e3b5d0a-2a55-4e5e-bb1b-7d7c5c0b8a22',
  occurredAt: '2026-11-30T05:02:22.123Z',
};
const SAMPLES: Record<string, object> = {
  'bootstrap.evt.started': base,
  'bootstrap.evt.completed': {
    ...base,
    user: { id: '9a1f6a0e-5a3a-4c7e-8f0b-2f1d4e6a7b33', email: 'admin@example.com', username: 'admin@example.com' },
    organization: { id: '3c2d1e0f-6b5a-4e9d-8c7b-1a2b3c4d5e44', name: 'acme', slug: 'acme' },
    identity: { id: '5e4d3c2b-1a0f-4e9d-8c7b-6a5b4c3d2e55', name: 'instance-admin' },
  },
  'bootstrap.evt.failed': { ...base, failedStep: 'user', reason: "step 'user': user-service unavailable", compensated: true },
};

describe('public event JSON Schemas (libs/contracts/schemas)', () => {
  const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
  const validator = (file: string) => ajv.getSchema(committed(file).$id) ?? ajv.compile(committed(file));

  it('are committed exactly as generated from the zod schemas (run `npm run contracts:schemas` when this fails)', () => {
    const generated = bootstrapEventJsonSchemas();
    expect(readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(Object.keys(generated).sort());
    for (const [file, schema] of Object.entries(generated)) {
      expect(readFileSync(join(SCHEMA_DIR, file), 'utf8')).toBe(`${JSON.stringify(schema, null, 2)}\n`);
    }
  });

  it.each(BOOTSTRAP_EVENT_SCHEMAS.map((e) => [e.subject, e.version] as const))('%s v%s: draft 2020-12, with $id, title and description', (subject, version) => {
    const schema = committed(eventSchemaFileName(subject, version));
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `urn:bootstrap-platform:schema:${subject}.v${version}.json`,
      title: expect.stringContaining(subject),
      description: expect.any(String),
      type: 'object',
      additionalProperties: true,
    });
    expect(schema.required).toEqual(expect.arrayContaining(['eventId', 'sagaId', 'occurredAt']));
    expect(schema.properties.eventId.format).toBe('uuid');
    expect(schema.properties.occurredAt.format).toBe('date-time');
  });

  it.each(BOOTSTRAP_EVENT_SCHEMAS.map((e) => [e.subject, e]))('%s: a valid payload passes both the JSON Schema and zod, also with added fields', (subject, entry) => {
    const validate = validator(eventSchemaFileName(entry.subject, entry.version));
    const sample = SAMPLES[subject];
    expect(validate(sample)).toBe(true);
    expect(entry.schema.safeParse(sample).success).toBe(true);
    // Events only ever gain optional fields: a subscriber validating with the v1 file accepts them.
    const extended = { ...sample, addedLater: { anything: 1 } };
    expect(validate(extended)).toBe(true);
    expect(entry.schema.safeParse(extended).success).toBe(true);
  });

  it.each(BOOTSTRAP_EVENT_SCHEMAS.map((e) => [e.subject, e]))('%s: a missing field or a bad uuid/date-time is rejected by both', (subject, entry) => {
    const validate = validator(eventSchemaFileName(entry.subject, entry.version));
    const sample = SAMPLES[subject] as Record<string, unknown>;
    for (const bad of [
      { ...sample, eventId: undefined },
      { ...sample, sagaId: 'not-a-uuid' },
      { ...sample, occurredAt: 'yesterday' },
    ]) {
      const payload = JSON.parse(JSON.stringify(bad));
      expect(validate(payload)).toBe(false);
      expect(entry.schema.safeParse(payload).success).toBe(false);
    }
  });

  it('bootstrap.evt.failed requires compensated: true', () => {
    const validate = validator('bootstrap.evt.failed.v1.json');
    expect(validate({ ...SAMPLES['bootstrap.evt.failed'], compensated: false })).toBe(false);
  });
});
