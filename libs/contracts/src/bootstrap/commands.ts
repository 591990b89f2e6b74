import { z } from 'zod';
import { Empty, PingReply, StepTiming } from '../shared';
import { BootstrapRequestSchema, BootstrapResponse, IdempotencyKeySchema } from './bootstrap.http';

/** WIRE API: the saga orchestrator's commands. */
export const BootstrapSubjects = {
  start: 'bootstrap.cmd.start',
  getState: 'bootstrap.cmd.get-state',
  ping: 'bootstrap.cmd.ping',
} as const;

export const BootstrapStartSchema = BootstrapRequestSchema.extend({ idempotencyKey: IdempotencyKeySchema.optional() });

export interface BootstrapStartReply {
  response: BootstrapResponse;
  timings: StepTiming[];
}
export interface InstanceStateReply {
  initialized: boolean;
  bootstrapInProgress: boolean;
}

export interface BootstrapCommands {
  [BootstrapSubjects.start]: { request: z.input<typeof BootstrapStartSchema>; reply: BootstrapStartReply };
  [BootstrapSubjects.getState]: { request: Empty; reply: InstanceStateReply };
  [BootstrapSubjects.ping]: { request: Empty; reply: PingReply };
}
