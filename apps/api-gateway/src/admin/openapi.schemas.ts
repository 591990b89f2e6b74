import { BootstrapRequestSchema, IdempotencyKeySchema } from '@app/contracts';
import { z } from 'zod';

/* OpenAPI schemas, derived from the same zod schemas that validate requests where one exists. */

type Schema = Record<string, unknown>;
const str = { type: 'string' };
const uuid = { type: 'string', format: 'uuid' };
const obj = (properties: Schema, required = Object.keys(properties)): Schema => ({ type: 'object', properties, required });

export const bootstrapRequestDoc = z.toJSONSchema(BootstrapRequestSchema, { target: 'openapi-3.0', io: 'input' }) as Schema;

export const bootstrapKeyHeaderDoc = {
  description: 'Required, with the exact value, when the server sets BOOTSTRAP_KEY; ignored otherwise.',
  schema: { type: 'string' },
};

export const idempotencyKeyHeaderDoc = {
  description:
    'Optional. Within BOOTSTRAP_RECLAIM_WINDOW after a successful bootstrap, the same request with the same key, ' +
    'email and password answers 200 again with a freshly minted token (earlier tokens of that bootstrap are revoked).',
  schema: z.toJSONSchema(IdempotencyKeySchema, { target: 'openapi-3.0' }) as Schema,
};

export const bootstrapResponseDoc = obj({
  message: { type: 'string', example: 'Successfully bootstrapped instance' },
  user: obj({ id: uuid, email: str, username: str, firstName: str, lastName: str, superAdmin: { type: 'boolean' } }),
  organization: obj({ id: uuid, name: str, slug: str }),
  identity: obj({ id: uuid, name: str, credentials: obj({ token: { type: 'string', description: 'Token Auth JWT (HS256)' } }) }),
});

export const errorEnvelopeDoc = obj({ reqId: str, statusCode: { type: 'integer' }, message: str, error: str });

export const validationEnvelopeDoc = obj({
  reqId: str,
  statusCode: { type: 'integer', example: 422 },
  message: { type: 'array', items: obj({ message: str, path: { type: 'array', items: str } }) },
  error: { type: 'string', example: 'ValidationFailure' },
});

export const adminConfigDoc = obj({ config: obj({ initialized: { type: 'boolean' }, allowSignUp: { type: 'boolean' } }) });

const dependencies = { type: 'object', additionalProperties: { type: 'string', enum: ['up', 'down'] } };
export const statusDoc = obj({ date: { type: 'string', format: 'date-time' }, message: { type: 'string', example: 'Ok' } });
export const healthDoc = obj({ message: str, dependencies });
export const healthDownDoc = obj({ reqId: str, statusCode: { type: 'integer', example: 503 }, message: str, error: str, dependencies });
