import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import ms, { StringValue } from 'ms';
import { z } from 'zod';
import { NatsEnvFields, natsUrlProblem } from './nats-connection';
import { BOOTSTRAP_KEY_RULE, HMAC_KEY_RULE, SecretRule, secretWeakness } from './secret-strength';

const duration = (allowZero: boolean) =>
  z.string().transform((value, ctx) => {
    const trimmed = value.trim();
    if (allowZero && trimmed === '0') return 0;
    const parsed = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : ms(trimmed as StringValue);
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 90d, 12h or 15m${allowZero ? ', or 0' : ''}` });
      return z.NEVER;
    }
    return parsed;
  });

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int({ error: 'must be a port number' })
  .min(1, { error: 'must be a port number' })
  .max(65535, { error: 'must be a port number' });

const natsUrls = z.string().transform((value, ctx) => {
  const urls = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = urls.find((u) => !/^(nats|tls|ws|wss):\/\/[^\s/]+$/.test(u));
  if (urls.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of nats://host:port URLs' });
    return z.NEVER;
  }
  const problem = natsUrlProblem(urls);
  if (problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return urls;
});

const postgresUrl = z.string().refine((value) => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, { error: 'must be a postgres:// URL' });

/** A secret of at least `minLength` characters that is not obviously guessable (secret-strength.ts). */
const secret = (minLength: number, rule: SecretRule) =>
  z
    .string()
    .min(minLength, { error: `must be at least ${minLength} characters` })
    .superRefine((value, ctx) => {
      const weakness = value.length < minLength ? undefined : secretWeakness(value, rule);
      if (weakness !== undefined) ctx.addIssue({ code: 'custom', message: weakness });
    });

/**
 * An Ed25519 key: PEM (PKCS#8 private, SPKI public, as `openssl genpkey -algorithm ed25519` and
 * `openssl pkey -pubout` write them), or the base64 of its DER on one line (what npm start and
 * npm run compose:secrets write).
 */
const ed25519Key = (kind: 'private' | 'public') =>
  z.string().transform((value, ctx): KeyObject => {
    try {
      const input = value.includes('-----BEGIN')
        ? value
        : { key: Buffer.from(value.trim(), 'base64'), format: 'der' as const, type: kind === 'private' ? ('pkcs8' as const) : ('spki' as const) };
      const key = kind === 'private' ? createPrivateKey(input as Parameters<typeof createPrivateKey>[0]) : createPublicKey(input as Parameters<typeof createPublicKey>[0]);
      if (key.asymmetricKeyType === 'ed25519') return key;
    } catch {
      // reported below, without the value
    }
    ctx.addIssue({ code: 'custom', message: `must be an Ed25519 ${kind} key (PEM, or the base64 of its DER)` });
    return z.NEVER;
  });

/** The environment variables of runtime.md, with their defaults. */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  NATS_URL: natsUrls.default(['nats://127.0.0.1:4222']),
  ...NatsEnvFields,
  DB_CONNECTION_URI: postgresUrl.default('postgres://postgres@127.0.0.1:5432/postgres'),
  AUTH_SECRET: secret(32, HMAC_KEY_RULE).optional(),
  // Who a command is made for, signed by the services that authenticate tokens (private key) and
  // checked by every service that acts on a caller (public key). The gateway holds neither.
  PRINCIPAL_SIGNING_KEY: ed25519Key('private').optional(),
  PRINCIPAL_PUBLIC_KEY: ed25519Key('public').optional(),
  PORT: port.default(8080),
  // Gateway only: the address it listens on (a container needs 0.0.0.0; npm start gives 127.0.0.1).
  HOST: z.string().regex(/^[\w.:-]+$/, { error: 'must be an IP address or a host name' }).default('0.0.0.0'),
  // Gateway only: the proxies whose X-Forwarded-For names the client (comma-separated addresses or
  // CIDRs, or loopback / linklocal / uniquelocal); unset = the socket's peer is the client.
  TRUST_PROXY: z.string().regex(/^[\w.:/,\s-]+$/, { error: 'must be a comma-separated list of addresses or CIDRs' }).optional(),
  // Gateway only: requests a minute per client address on the unauthenticated routes that cost
  // work (login, bootstrap); 0 = no limit.
  UNAUTHENTICATED_RATE_LIMIT: z.coerce
    .number({ error: 'must be a whole number of requests a minute' })
    .int({ error: 'must be a whole number of requests a minute' })
    .min(0, { error: 'must be 0 (off) or more' })
    .default(30),
  HEALTH_PORT: port.optional(),
  MAX_MACHINE_IDENTITY_TOKEN_AGE: duration(true).default(90 * 24 * 3600 * 1000),
  JWT_AUTH_LIFETIME: duration(false).default(24 * 3600 * 1000),
  BOOTSTRAP_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int({ error: 'must be a whole number of milliseconds' })
    .min(100, { error: 'must be at least 100' })
    .max(600_000, { error: 'must be at most 600000' })
    .default(10_000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  BOOTSTRAP_KEY: secret(16, BOOTSTRAP_KEY_RULE).optional(),
  BOOTSTRAP_RECLAIM_WINDOW: duration(false).default(15 * 60 * 1000),
  // The orchestrator's key for HMAC-SHA256 digests of Idempotency-Keys; unset = re-claim is off.
  BOOTSTRAP_RECLAIM_SECRET: secret(32, HMAC_KEY_RULE).optional(),
  // Unset = from the cluster the orchestrator finds (3 on three or more servers, else 1).
  EVENTS_STREAM_REPLICAS: z.coerce
    .number({ error: 'must be a whole number from 1 to 5' })
    .int({ error: 'must be a whole number from 1 to 5' })
    .min(1, { error: 'must be a whole number from 1 to 5' })
    .max(5, { error: 'must be a whole number from 1 to 5' })
    .optional(),
});

/** Variables that hold secrets may instead be given as <NAME>_FILE (Docker/Kubernetes secrets). */
export const SECRET_VARIABLES = [
  'AUTH_SECRET',
  'BOOTSTRAP_KEY',
  'DB_CONNECTION_URI',
  'BOOTSTRAP_RECLAIM_SECRET',
  'NATS_PASSWORD',
  'PRINCIPAL_SIGNING_KEY',
  // Not a secret, but a key file mounted like one.
  'PRINCIPAL_PUBLIC_KEY',
] as const;
