import { createPublicKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EnvSchema, SECRET_VARIABLES } from './config.schema';
import { NatsConnectionConfig, natsConnectionConfig } from './nats-connection';

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  natsServers: string[];
  /** NATS user, password or creds file, inbox prefix and TLS: every NATS connection uses it (natsConnectionOptions). Never log it. */
  nats: NatsConnectionConfig;
  databaseUrl: string;
  /** Present only when AUTH_SECRET is set; services that sign or verify tokens call requireAuthSecret(). */
  authSecret?: string;
  /** The Ed25519 key the services that authenticate tokens sign principals with (requirePrincipalSigningKey). Never log it. */
  principalSigningKey?: KeyObject;
  /** The public key every service acting on a caller verifies principals with (principalPublicKey()). */
  principalPublicKey?: KeyObject;
  port: number;
  /** Gateway only: the address it listens on. */
  host: string;
  /** Gateway only: the proxies trusted to name the client (Fastify's trustProxy); undefined = none. */
  trustProxy?: string;
  /** Gateway only: requests a minute per client address on login and bootstrap; 0 = no limit. */
  unauthenticatedRateLimit: number;
  healthPort?: number;
  /** Milliseconds; 0 means machine-identity tokens carry no `exp`. */
  maxMachineIdentityTokenAgeMs: number;
  jwtAuthLifetimeMs: number;
  bootstrapTimeoutMs: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  bootstrapKey?: string;
  bootstrapReclaimWindowMs: number;
  /**
   * Read by the orchestrator only: the HMAC key of the Idempotency-Key digests it stores for
   * re-claiming the root credential. Absent: re-claim is off.
   */
  bootstrapReclaimSecret?: string;
  /** Read by the orchestrator only: replicas of the events stream; absent = chosen from the NATS cluster's size. */
  eventsStreamReplicas?: number;
}

/** A configuration problem: its message is one line naming the variable, fit to print as-is. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function resolveFileVariables(env: Env): Env {
  const resolved: Env = { ...env };
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      throw new ConfigError(`${name} and ${name}_FILE are both set; set only one`);
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new ConfigError(`${name}_FILE: cannot read the file it names`);
    }
  }
  // An empty variable means "unset", as shells and compose files commonly produce them.
  for (const [key, value] of Object.entries(resolved)) if (value === '') delete resolved[key];
  return resolved;
}

/** Validates the environment into a typed config. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(resolveFileVariables(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`${name}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    natsServers: e.NATS_URL,
    nats: natsConnectionConfig(e, (message) => {
      throw new ConfigError(message);
    }),
    databaseUrl: e.DB_CONNECTION_URI,
    authSecret: e.AUTH_SECRET,
    principalSigningKey: e.PRINCIPAL_SIGNING_KEY,
    principalPublicKey: e.PRINCIPAL_PUBLIC_KEY,
    port: e.PORT,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY,
    unauthenticatedRateLimit: e.UNAUTHENTICATED_RATE_LIMIT,
    healthPort: e.HEALTH_PORT,
    maxMachineIdentityTokenAgeMs: e.MAX_MACHINE_IDENTITY_TOKEN_AGE,
    jwtAuthLifetimeMs: e.JWT_AUTH_LIFETIME,
    bootstrapTimeoutMs: e.BOOTSTRAP_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    bootstrapKey: e.BOOTSTRAP_KEY,
    bootstrapReclaimWindowMs: e.BOOTSTRAP_RECLAIM_WINDOW,
    bootstrapReclaimSecret: e.BOOTSTRAP_RECLAIM_SECRET,
    eventsStreamReplicas: e.EVENTS_STREAM_REPLICAS,
  };
}

export function requireAuthSecret(config: AppConfig): string {
  if (config.authSecret === undefined) {
    throw new ConfigError('AUTH_SECRET: is required (at least 32 characters) by this service');
  }
  return config.authSecret;
}

export function requirePrincipalSigningKey(config: AppConfig): KeyObject {
  if (config.principalSigningKey === undefined) {
    throw new ConfigError('PRINCIPAL_SIGNING_KEY: is required (an Ed25519 private key) by this service, which authenticates tokens');
  }
  return config.principalSigningKey;
}

/**
 * The key principals are verified with: PRINCIPAL_PUBLIC_KEY, or the public half of
 * PRINCIPAL_SIGNING_KEY in a service that holds it (both set: they must be one pair).
 */
export function principalPublicKey(config: AppConfig): KeyObject {
  const derived = config.principalSigningKey === undefined ? undefined : createPublicKey(config.principalSigningKey);
  const given = config.principalPublicKey;
  if (given !== undefined && derived !== undefined && !given.equals(derived)) {
    throw new ConfigError('PRINCIPAL_PUBLIC_KEY: is not the public half of PRINCIPAL_SIGNING_KEY');
  }
  const key = given ?? derived;
  if (key === undefined) {
    throw new ConfigError('PRINCIPAL_PUBLIC_KEY: is required (an Ed25519 public key) by this service, which acts on callers');
  }
  return key;
}

/**
 * For main.ts: load the config or stop the process with one line naming the variable, never a
 * stack trace. `needsAuthSecret` is for the services that sign or verify tokens,
 * `signsPrincipals` for those that authenticate them, `actsOnCallers` for every bus service.
 */
export function loadConfigOrExit(options: { needsAuthSecret?: boolean; signsPrincipals?: boolean; actsOnCallers?: boolean } = {}): AppConfig {
  try {
    const config = loadConfig();
    if (options.needsAuthSecret) requireAuthSecret(config);
    if (options.signsPrincipals) requirePrincipalSigningKey(config);
    if (options.actsOnCallers) principalPublicKey(config);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
