import { readFileSync } from 'node:fs';
import { ConnectionOptions, credsAuthenticator } from 'nats';
import { z } from 'zod';

/**
 * How this process authenticates to NATS, and over what. Holds a secret (the password): never
 * log it, nor the connection options built from it.
 */
export interface NatsConnectionConfig {
  /** NATS_USER, with NATS_PASSWORD (or NATS_PASSWORD_FILE). */
  user?: string;
  password?: string;
  /** NATS_CREDS_FILE: a .creds file (user JWT and nkey seed), instead of a user and password. */
  credsFile?: string;
  /** NATS_INBOX_PREFIX: where replies come back; a user with a private inbox must use it. */
  inboxPrefix: string;
  /** Present when TLS is required: a tls:// URL, or any NATS_TLS_* file. Certificate and key go together. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

const SUBJECT_TOKENS = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

/** The NATS variables of runtime.md (besides NATS_URL), spread into EnvSchema. */
export const NatsEnvFields = {
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_CREDS_FILE: z.string().optional(),
  NATS_INBOX_PREFIX: z
    .string()
    .regex(SUBJECT_TOKENS, { error: 'must be a subject prefix such as _INBOX_my-service (no spaces or wildcards)' })
    .default('_INBOX'),
  NATS_TLS_CA_FILE: z.string().optional(),
  NATS_TLS_CERT_FILE: z.string().optional(),
  NATS_TLS_KEY_FILE: z.string().optional(),
};

type NatsEnv = { NATS_URL: string[] } & z.output<z.ZodObject<typeof NatsEnvFields>>;

/**
 * Checks NATS_URL for what the URL syntax allows but we refuse: credentials inside it (they would
 * end up in logs and process listings; NATS_USER/NATS_PASSWORD exist for them), and a mix of
 * tls:// and plain URLs (TLS is required of every server or of none). Returns the problem, if any.
 */
export function natsUrlProblem(urls: string[]): string | undefined {
  if (urls.some((url) => /^[a-z]+:\/\/[^/]*@/i.test(url))) {
    return 'must not contain credentials; set NATS_USER and NATS_PASSWORD (or NATS_CREDS_FILE) instead';
  }
  const tls = urls.filter((url) => url.toLowerCase().startsWith('tls://')).length;
  if (tls > 0 && tls < urls.length) return 'mixes tls:// and non-TLS URLs; TLS is required of every server or of none';
  return undefined;
}

/**
 * The connection-auth part of the config. `fail` throws the caller's ConfigError: every message is
 * one line naming the variable, and none contains a value.
 */
export function natsConnectionConfig(e: NatsEnv, fail: (message: string) => never): NatsConnectionConfig {
  const readable = (name: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    try {
      readFileSync(path);
    } catch {
      fail(`${name}: cannot read the file it names`);
    }
    return path;
  };

  if (e.NATS_CREDS_FILE !== undefined && (e.NATS_USER !== undefined || e.NATS_PASSWORD !== undefined)) {
    fail('NATS_CREDS_FILE: set either NATS_CREDS_FILE or NATS_USER and NATS_PASSWORD, not both');
  }
  if (e.NATS_USER !== undefined && e.NATS_PASSWORD === undefined) {
    fail('NATS_USER: is set without NATS_PASSWORD (or NATS_PASSWORD_FILE)');
  }
  if (e.NATS_PASSWORD !== undefined && e.NATS_USER === undefined) {
    fail('NATS_PASSWORD: is set without NATS_USER');
  }
  const credsFile = readable('NATS_CREDS_FILE', e.NATS_CREDS_FILE);
  if (credsFile !== undefined) {
    const text = readFileSync(credsFile, 'utf8');
    if (!/-----BEGIN NATS USER JWT-----/.test(text) || !/-----BEGIN USER NKEY SEED-----/.test(text)) {
      fail('NATS_CREDS_FILE: is not a NATS credentials file (a user JWT and an nkey seed)');
    }
  }

  if (e.NATS_TLS_CERT_FILE !== undefined && e.NATS_TLS_KEY_FILE === undefined) {
    fail('NATS_TLS_KEY_FILE: is required with NATS_TLS_CERT_FILE');
  }
  if (e.NATS_TLS_KEY_FILE !== undefined && e.NATS_TLS_CERT_FILE === undefined) {
    fail('NATS_TLS_CERT_FILE: is required with NATS_TLS_KEY_FILE');
  }
  const tlsFiles = {
    caFile: readable('NATS_TLS_CA_FILE', e.NATS_TLS_CA_FILE),
    certFile: readable('NATS_TLS_CERT_FILE', e.NATS_TLS_CERT_FILE),
    keyFile: readable('NATS_TLS_KEY_FILE', e.NATS_TLS_KEY_FILE),
  };
  const tlsUrl = e.NATS_URL.some((url) => url.toLowerCase().startsWith('tls://'));
  const anyTlsFile = Object.values(tlsFiles).some((file) => file !== undefined);
  const tls = tlsUrl || anyTlsFile ? Object.fromEntries(Object.entries(tlsFiles).filter(([, file]) => file !== undefined)) : undefined;

  return {
    user: e.NATS_USER,
    password: e.NATS_PASSWORD,
    credsFile,
    inboxPrefix: e.NATS_INBOX_PREFIX,
    tls,
  };
}

/**
 * The authentication part of a `nats` client's options for this config: user and password or
 * the .creds file (read now, like the other secrets: a rotated file takes effect on the next
 * start), the private reply inbox, and TLS (any `tls` object makes the client refuse a server
 * without TLS; the files are read at connect). Holds secrets: never log it.
 */
export function natsAuthOptions(auth: NatsConnectionConfig): Pick<ConnectionOptions, 'inboxPrefix' | 'user' | 'pass' | 'authenticator' | 'tls'> {
  return {
    inboxPrefix: auth.inboxPrefix,
    ...(auth.user === undefined ? {} : { user: auth.user, pass: auth.password }),
    ...(auth.credsFile === undefined ? {} : { authenticator: credsAuthenticator(readFileSync(auth.credsFile)) }),
    ...(auth.tls === undefined ? {} : { tls: { ...auth.tls } }),
  };
}
