import { StepTiming } from '@app/contracts';

/** `Server-Timing: user;dur=41.2, organization;dur=6.3, …, total;dur=55.1` */
export function serverTiming(steps: StepTiming[], totalMs: number): string {
  return [...steps.map((s) => `${s.name};dur=${s.durationMs.toFixed(1)}`), `total;dur=${totalMs.toFixed(1)}`].join(', ');
}
