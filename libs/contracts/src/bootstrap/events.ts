import { z } from 'zod';

/*
 * WIRE API: public event payloads. Subscribers depend on these; only ever add optional fields.
 * No event ever holds a password, a password hash or a token.
 *
 * The types are inferred from these schemas, and the versioned JSON Schema files under
 * libs/contracts/schemas/ are generated from them (`npm run contracts:schemas`); a unit test fails
 * when a committed file is stale.
 */
const eventBase = {
  eventId: z.uuid().describe('Unique id of this event (also its message id in the bus headers)'),
  sagaId: z.uuid().describe('The bootstrap saga this event belongs to'),
  occurredAt: z.iso.datetime().describe('When the event was published (ISO 8601, UTC)'),
};

export const BootstrapStartedEventSchema = z.object({ ...eventBase }).meta({
  title: 'bootstrap.evt.started v1',
  description: 'A bootstrap claimed the instance.',
});

export const BootstrapCompletedEventSchema = z
  .object({
    ...eventBase,
    user: z.object({ id: z.uuid(), email: z.email(), username: z.string() }).describe('The admin user'),
    organization: z.object({ id: z.uuid(), name: z.string(), slug: z.string() }).describe('The first organization'),
    identity: z.object({ id: z.uuid(), name: z.string() }).describe('The instance-admin machine identity (never its token)'),
  })
  .meta({
    title: 'bootstrap.evt.completed v1',
    description: 'The instance is initialized. Published exactly once per instance (Nats-Msg-Id = <sagaId>:completed).',
  });

export const BootstrapFailedEventSchema = z
  .object({
    ...eventBase,
    failedStep: z.string().describe('The saga step that failed (user, organization, identity, …)'),
    reason: z.string().describe("A fixed text saying why, e.g. \"step 'user': user-service unavailable\""),
    compensated: z.literal(true).describe('Everything the bootstrap created was rolled back'),
  })
  .meta({
    title: 'bootstrap.evt.failed v1',
    description: 'A bootstrap gave up and was rolled back; the same bootstrap can be run again.',
  });

export type BootstrapStartedEvent = z.infer<typeof BootstrapStartedEventSchema>;
export type BootstrapCompletedEvent = z.infer<typeof BootstrapCompletedEventSchema>;
export type BootstrapFailedEvent = z.infer<typeof BootstrapFailedEventSchema>;

/** Every public event: its subject, schema version and zod schema. */
export const BOOTSTRAP_EVENT_SCHEMAS = [
  { subject: 'bootstrap.evt.started', version: 1, schema: BootstrapStartedEventSchema },
  { subject: 'bootstrap.evt.completed', version: 1, schema: BootstrapCompletedEventSchema },
  { subject: 'bootstrap.evt.failed', version: 1, schema: BootstrapFailedEventSchema },
] as const;

/** The committed JSON Schema file name of an event, e.g. `bootstrap.evt.started.v1.json`. */
export const eventSchemaFileName = (subject: string, version: number): string => `${subject}.v${version}.json`;

/**
 * The JSON Schemas (draft 2020-12) of the public events, by file name, as committed under
 * libs/contracts/schemas/. Every object allows additional properties (events only ever gain
 * optional fields, so a subscriber must tolerate them), and string formats (uuid, date-time,
 * email) are stated as `format` rather than zod's own regular expressions.
 */
export function bootstrapEventJsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const { subject, version, schema } of BOOTSTRAP_EVENT_SCHEMAS) {
    const file = eventSchemaFileName(subject, version);
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      override: ({ jsonSchema }) => {
        if (jsonSchema.type === 'object') jsonSchema.additionalProperties = true;
        if (jsonSchema.format !== undefined) delete jsonSchema.pattern;
      },
    });
    const { $schema, title, description, ...rest } = json;
    out[file] = { $schema, $id: `urn:bootstrap-platform:schema:${file}`, title, description, ...rest };
  }
  return out;
}
