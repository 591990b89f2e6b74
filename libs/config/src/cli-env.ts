import { readFileSync } from 'node:fs';
import { ConfigError } from './config';
import { NatsConnectionConfig, natsConnectionConfig, NatsEnvFields } from './nats-connection';
import { z } from 'zod';

type Env = Record<string, string | undefined>;

/**
 * The environment of the command-line tool `bootstrapctl` (runtime.md, *bootstrapctl*): Infisical's
 * variables, each optional (a flag may give it instead). Values are returned as given; the CLI
 * validates them together with its flags. Holds secrets (the password, the bootstrap key): never log it.
 */
export interface CliEnv {
  /** INFISICAL_DOMAIN, else INFISICAL_API_URL. */
  domain?: string;
  email?: string;
  /** INFISICAL_ADMIN_PASSWORD or the content of INFISICAL_ADMIN_PASSWORD_FILE. */
  password?: string;
  organization?: string;
  /** BOOTSTRAP_KEY or BOOTSTRAP_KEY_FILE: sent as X-Bootstrap-Key. */
  bootstrapKey?: string;
  /** NATS_URL, the default of `events --nats`. */
  natsUrl?: string;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

function secretVariable(env: Env, name: string): string | undefined {
  const file = nonEmpty(env[`${name}_FILE`]);
  const value = nonEmpty(env[name]);
  if (file === undefined) return value;
  if (value !== undefined) throw new ConfigError(`${name} and ${name}_FILE are both set; set only one`);
  try {
    // An empty file means unset, as an empty variable does (compose's empty bootstrap-key secret).
    return nonEmpty(readFileSync(file, 'utf8').replace(/\r?\n$/, ''));
  } catch {
    throw new ConfigError(`${name}_FILE: cannot read the file it names`);
  }
}

/** Reads the CLI's variables. Throws ConfigError (one line naming the variable) on an unreadable *_FILE. */
export function loadCliEnv(env: Env = process.env): CliEnv {
  return {
    domain: nonEmpty(env.INFISICAL_DOMAIN) ?? nonEmpty(env.INFISICAL_API_URL),
    email: nonEmpty(env.INFISICAL_ADMIN_EMAIL),
    password: secretVariable(env, 'INFISICAL_ADMIN_PASSWORD'),
    organization: nonEmpty(env.INFISICAL_ADMIN_ORGANIZATION),
    bootstrapKey: secretVariable(env, 'BOOTSTRAP_KEY'),
    natsUrl: nonEmpty(env.NATS_URL),
  };
}

const CliNatsSchema = z.object(NatsEnvFields);

/**
 * The NATS credentials of `bootstrapctl events` (NATS_USER / NATS_PASSWORD or NATS_PASSWORD_FILE,
 * NATS_CREDS_FILE, NATS_INBOX_PREFIX, NATS_TLS_*), checked as the services check theirs.
 */
export function loadCliNatsEnv(urls: string[], env: Env = process.env): NatsConnectionConfig {
  const resolved: Env = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith('NATS_') && value !== '') resolved[key] = value;
  resolved.NATS_PASSWORD = secretVariable(env, 'NATS_PASSWORD');
  delete resolved.NATS_PASSWORD_FILE;
  const parsed = CliNatsSchema.safeParse(resolved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue.path[0] ?? 'environment')}: ${issue.message}`);
  }
  return natsConnectionConfig({ ...parsed.data, NATS_URL: urls }, (message) => {
    throw new ConfigError(message);
  });
}
