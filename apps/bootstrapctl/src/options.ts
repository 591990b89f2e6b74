import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BootstrapRequest, BootstrapRequestSchema } from '@app/contracts';
import type { CliEnv } from '@app/config';

/** A bad flag or variable: exit 2, before anything is sent. Its message never holds a secret. */
export class UsageError extends Error {}

export const OUTPUTS = ['json', 'env', 'k8-secret'] as const;
export type OutputFormat = (typeof OUTPUTS)[number];

/** The flags of `bootstrapctl bootstrap`, as commander parses them (all strings, all optional). */
export interface BootstrapFlags {
  domain?: string;
  email?: string;
  password?: string;
  organization?: string;
  output?: string;
  k8SecretName?: string;
  k8SecretNamespace?: string;
  out?: string;
  ignoreIfBootstrapped?: boolean;
  bootstrapKey?: string;
  retries?: string;
  wait?: string;
}

export interface BootstrapPlan {
  /** The instance's base URL, without a trailing slash or `/api`. */
  baseUrl: string;
  request: BootstrapRequest;
  output: OutputFormat;
  k8SecretName: string;
  k8SecretNamespace?: string;
  /** Absolute path of --out, when given. */
  out?: string;
  ignoreIfBootstrapped: boolean;
  bootstrapKey?: string;
  /** Retries with the same Idempotency-Key after a lost connection or a 502/503/504. */
  retries: number;
  /** --wait: seconds to wait for GET /api/status to answer before bootstrapping. */
  wait?: number;
}

export const DEFAULT_RETRIES = 4;

export const DEFAULT_K8_SECRET_NAME = 'infisical-bootstrap-token';

/**
 * --domain (or INFISICAL_DOMAIN / INFISICAL_API_URL): an http(s) URL with nothing but a path
 * after the host. Infisical's INFISICAL_API_URL ends in /api: that suffix is dropped.
 */
export function parseDomain(value: string | undefined, flag = '--domain'): string {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`${flag} is required (or INFISICAL_DOMAIN / INFISICAL_API_URL): there is no default instance`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`${flag} must be an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be an http:// or https:// URL`);
  if (url.username !== '' || url.password !== '') throw new UsageError(`${flag} must not contain credentials`);
  if (url.search !== '' || url.hash !== '') throw new UsageError(`${flag} must not have a query or fragment`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  return `${url.origin}${path}`;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkOut(out: string): string {
  if (out.trim() === '') throw new UsageError('--out must name a file');
  const path = resolve(out);
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) throw new UsageError(`--out ${out} is a directory, not a file`);
  try {
    accessSync(existing === undefined ? dirname(path) : path, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${out} cannot be written (missing or read-only directory, or a read-only file)`);
  }
  return path;
}

/** Every flag and variable of `bootstrap`, checked together before the API is called. Throws UsageError. */
export function bootstrapPlan(flags: BootstrapFlags, env: CliEnv): BootstrapPlan {
  const baseUrl = parseDomain(flags.domain ?? env.domain);

  const output = (flags.output ?? 'json') as OutputFormat;
  if (!OUTPUTS.includes(output)) throw new UsageError(`--output must be one of ${OUTPUTS.join(', ')}`);
  if (output !== 'k8-secret' && (flags.k8SecretName !== undefined || flags.k8SecretNamespace !== undefined)) {
    throw new UsageError('--k8-secret-name and --k8-secret-namespace need --output k8-secret');
  }
  const k8SecretName = flags.k8SecretName ?? DEFAULT_K8_SECRET_NAME;
  if (k8SecretName.length > 253 || !DNS_SUBDOMAIN.test(k8SecretName)) {
    throw new UsageError('--k8-secret-name must be a Kubernetes name (lowercase letters, digits, "-" and ".", at most 253)');
  }
  const k8SecretNamespace = flags.k8SecretNamespace;
  if (k8SecretNamespace !== undefined && (k8SecretNamespace.length > 63 || !DNS_LABEL.test(k8SecretNamespace))) {
    throw new UsageError('--k8-secret-namespace must be a Kubernetes namespace (lowercase letters, digits and "-", at most 63)');
  }

  const fields = [
    ['email', '--email', flags.email ?? env.email, 'INFISICAL_ADMIN_EMAIL'],
    ['password', '--password', flags.password ?? env.password, 'INFISICAL_ADMIN_PASSWORD or INFISICAL_ADMIN_PASSWORD_FILE'],
    ['organization', '--organization', flags.organization ?? env.organization, 'INFISICAL_ADMIN_ORGANIZATION'],
  ] as const;
  for (const [, flag, value, variable] of fields) {
    if (value === undefined) throw new UsageError(`${flag} is required (or ${variable})`);
  }
  const parsed = BootstrapRequestSchema.safeParse(Object.fromEntries(fields.map(([key, , value]) => [key, value])));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = fields.find(([key]) => key === issue.path[0])?.[1] ?? '--email';
    // Zod's messages name the rule, never the value: safe for the password too.
    throw new UsageError(`${flag}: ${issue.message}`);
  }

  const bootstrapKey = flags.bootstrapKey ?? env.bootstrapKey;
  if (bootstrapKey !== undefined && !/^[\x21-\x7e]+$/.test(bootstrapKey)) {
    throw new UsageError('--bootstrap-key (or BOOTSTRAP_KEY) must be printable characters without spaces');
  }

  const retries = flags.retries === undefined ? DEFAULT_RETRIES : Number(flags.retries);
  if (flags.retries !== undefined && (!/^\d{1,2}$/.test(flags.retries) || retries > 10)) {
    throw new UsageError('--retries must be a whole number from 0 to 10');
  }

  return {
    baseUrl,
    retries,
    wait: parseSeconds(flags.wait, '--wait'),
    request: parsed.data,
    output,
    k8SecretName,
    k8SecretNamespace,
    out: flags.out === undefined ? undefined : checkOut(flags.out),
    ignoreIfBootstrapped: flags.ignoreIfBootstrapped === true,
    bootstrapKey,
  };
}

/** --wait SECONDS and similar: a whole number of seconds, 0 or more. */
export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number of seconds`);
  return Number(value.trim());
}

/** --nats (or NATS_URL): a comma-separated list of nats://, tls://, ws:// or wss:// URLs without credentials. */
export function parseNatsUrls(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') throw new UsageError('--nats is required (or NATS_URL)');
  const urls = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (urls.length === 0 || urls.some((u) => !/^(nats|tls|ws|wss):\/\/[^\s/]+$/.test(u))) {
    throw new UsageError('--nats must be a comma-separated list of nats://host:port URLs');
  }
  if (urls.some((u) => u.includes('@'))) throw new UsageError('--nats must not contain credentials; set NATS_USER and NATS_PASSWORD');
  return urls;
}

