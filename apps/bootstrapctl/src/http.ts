import { randomBytes } from 'node:crypto';
import { BootstrapResponse } from '@app/contracts';

/** The one-shot bootstrap could not be done: exit 1. Its message never holds a secret. */
export class CliFailure extends Error {}

export const ALREADY_SET_UP = 'Instance has already been set up';

/** 32 random bytes, base64url (43 characters): long enough for the server to allow a re-claim with it. */
export function newIdempotencyKey(): string {
  return randomBytes(32).toString('base64url');
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Before the n-th retry: baseDelayMs * 2^(n-1). */
  baseDelayMs: number;
  /** Each attempt's deadline. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1_000, timeoutMs: 60_000 };

export type BootstrapOutcome =
  | { kind: 'success'; response: BootstrapResponse; attempts: number }
  | { kind: 'already-set-up' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a failed fetch says, without the URL's secrets (there are none) or a stack. */
function transportProblem(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no response in time';
  const cause = error instanceof Error ? (error as Error & { cause?: { code?: string; message?: string } }).cause : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

async function readBody(response: Response): Promise<any> {
  const text = await response.text();
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return text.slice(0, 200);
  }
}

const messageOf = (body: any): string =>
  typeof body === 'object' && body !== null
    ? Array.isArray(body.message)
      ? body.message.map((m: any) => m?.message ?? String(m)).join('; ')
      : String(body.message ?? body.error ?? JSON.stringify(body))
    : String(body ?? '');

/**
 * POST /api/v1/admin/bootstrap with a random Idempotency-Key, retried with the SAME key when the
 * connection fails or times out or a proxy answers 502/503/504 (and 409 while our own earlier
 * attempt may still be running): the server answers a repeat of the same request within its
 * re-claim window with a fresh token, so a lost response never costs the root credential.
 */
export async function bootstrapWithRetry(
  baseUrl: string,
  body: object,
  options: { bootstrapKey?: string; retry?: RetryPolicy; log?: (line: string) => void; idempotencyKey?: string } = {},
): Promise<BootstrapOutcome> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const log = options.log ?? (() => undefined);
  const key = options.idempotencyKey ?? newIdempotencyKey();
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key };
  if (options.bootstrapKey !== undefined) headers['x-bootstrap-key'] = options.bootstrapKey;
  const url = `${baseUrl}/api/v1/admin/bootstrap`;
  /** Whether an earlier attempt may have reached the server (its response lost). */
  let mayHaveReached = false;
  let lastProblem = '';

  for (let attempt = 1; attempt <= retry.attempts; attempt += 1) {
    if (attempt > 1) await sleep(retry.baseDelayMs * 2 ** (attempt - 2));
    let response: Response;
    let responseBody: any;
    try {
      response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(retry.timeoutMs) });
      responseBody = await readBody(response);
    } catch (error) {
      mayHaveReached = true;
      lastProblem = `the connection to ${baseUrl} failed (${transportProblem(error)})`;
      log(`attempt ${attempt} of ${retry.attempts}: ${lastProblem}; retrying with the same Idempotency-Key`);
      continue;
    }

    if (response.status === 200) return { kind: 'success', response: responseBody as BootstrapResponse, attempts: attempt };
    const message = messageOf(responseBody);
    const retriable = [502, 503, 504].includes(response.status) || (response.status === 409 && mayHaveReached);
    if (retriable) {
      // A 502/504 from a proxy may hide a request that reached the server.
      if (response.status !== 409) mayHaveReached = true;
      lastProblem = `the server answered ${response.status}: ${message}`;
      log(`attempt ${attempt} of ${retry.attempts}: ${lastProblem}; retrying with the same Idempotency-Key`);
      continue;
    }
    if (response.status === 400 && message === ALREADY_SET_UP) {
      if (mayHaveReached) {
        throw new CliFailure(
          `${ALREADY_SET_UP}, after an earlier attempt of this run lost its response: it may have bootstrapped the instance, ` +
            'and the server refused to hand the credential out again (re-claim window over or disabled)',
        );
      }
      return { kind: 'already-set-up' };
    }
    throw new CliFailure(`bootstrap refused: ${response.status} ${message}`);
  }
  throw new CliFailure(`bootstrap failed after ${retry.attempts} attempts: ${lastProblem}`);
}

export type StatusOutcome = { initialized: boolean };

/** GET /api/v1/admin/config: whether the instance is initialized. Throws CliFailure on any error. */
export async function instanceStatus(baseUrl: string, timeoutMs = 10_000): Promise<StatusOutcome> {
  let response: Response;
  let body: any;
  try {
    response = await fetch(`${baseUrl}/api/v1/admin/config`, { signal: AbortSignal.timeout(timeoutMs) });
    body = await readBody(response);
  } catch (error) {
    throw new CliFailure(`the connection to ${baseUrl} failed (${transportProblem(error)})`);
  }
  if (response.status !== 200) throw new CliFailure(`the server answered ${response.status}: ${messageOf(body)}`);
  const initialized = body?.config?.initialized;
  if (typeof initialized !== 'boolean') throw new CliFailure('the server answered without config.initialized: is this the right URL?');
  return { initialized };
}

/** Polls GET /api/status until it answers 200 or `seconds` pass. Throws CliFailure on timeout. */
export async function waitForGateway(baseUrl: string, seconds: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let lastProblem = 'no answer';
  let logged = false;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/api/status`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      lastProblem = `status ${response.status}`;
    } catch (error) {
      lastProblem = transportProblem(error);
    }
    if (Date.now() >= deadline) throw new CliFailure(`${baseUrl} did not answer within ${seconds}s (${lastProblem})`);
    if (!logged) {
      log(`waiting up to ${seconds}s for ${baseUrl} (${lastProblem})`);
      logged = true;
    }
    await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
  }
}
