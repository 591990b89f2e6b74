import { AppConfig } from '@app/config';

/*
 * Timeouts that must hold between apps, in one place: each waiter waits a little longer than
 * the one it waits for answers, so a caller never gives up on an answer that is on its way.
 *
 *   saga step ≤ SAGA_STEP_TIMEOUT_MS, and ≤ what is left of the saga's deadline
 *   orchestrator answers by BOOTSTRAP_TIMEOUT_MS + SAGA_REPLY_GRACE_MS (a slower rollback goes on in the background)
 *   gateway waits for it up to that + GATEWAY_MARGIN_MS
 */

/** Upper bound of one saga step's bus request. */
export const SAGA_STEP_TIMEOUT_MS = 5_000;
/** Bound of one compensation attempt; the engine retries compensations with backoff. */
export const COMPENSATION_TIMEOUT_MS = 2_000;
/** How long after a saga's deadline its caller still waits for the rollback to finish. */
export const SAGA_REPLY_GRACE_MS = 2_000;
/** What the gateway adds to the orchestrator's answer time (transport, a busy event loop). */
const GATEWAY_MARGIN_MS = 3_000;
/** A plain command (not a saga) made for an HTTP request. */
export const COMMAND_TIMEOUT_MS = 5_000;

/** When the orchestrator has answered a saga's caller at the latest. */
export function sagaAnswerWithinMs(config: AppConfig): number {
  return config.bootstrapTimeoutMs + SAGA_REPLY_GRACE_MS;
}

/** How long the gateway waits for a saga command's reply. */
export function gatewaySagaWaitMs(config: AppConfig): number {
  return sagaAnswerWithinMs(config) + GATEWAY_MARGIN_MS;
}

/**
 * How long a gateway answers an unkeyed bootstrap of an instance it has seen initialized from
 * memory (see BootstrapController). Nothing un-initializes an instance, but a database wiped
 * under running gateways makes a new one; a second bounds how long they would refuse it, while
 * a request loop still costs at most one bus round trip per second per gateway.
 */
export const INITIALIZED_MEMORY_MS = 1_000;
