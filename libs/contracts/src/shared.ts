import { z } from 'zod';

/* WIRE API: what every service's commands share. */

export const SagaIdSchema = z.uuid();

/** Compensations are keyed on the saga alone: a step that timed out may have run without us learning its ids. */
export const CompensateSchema = z.object({ sagaId: SagaIdSchema });

export const EmptySchema = z.object({});
export type Empty = Record<string, never>;

export interface PingReply {
  service: string;
  ok: boolean;
  database: 'up' | 'down';
  /** Orchestrator only: sagas whose rollback keeps failing and that hold the instance claim. */
  attention?: Array<{ sagaId: string; state: string; failedStep: string | null }>;
}

export interface CompensatedReply {
  removed: number;
}

export interface StepTiming {
  name: string;
  durationMs: number;
}
