import { CallHandler, ExecutionContext, Logger } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { lastValueFrom, Observable, of, throwError } from 'rxjs';
import { createRootLogger, DomainError, metrics, PinoNestLogger, withCorrelation } from '@app/common';
import { BusMessageInterceptor } from './message-log.interceptor';

/** A NATS message context as Nest hands it to interceptors. */
function natsContext(subject: string): ExecutionContext {
  const headers = new Map([['x-message-id', 'msg-1']]);
  return { switchToRpc: () => ({ getContext: () => ({ getSubject: () => subject, getHeaders: () => headers }) }) } as unknown as ExecutionContext;
}

const handler = (reply: () => Observable<unknown>): CallHandler => ({ handle: reply });

describe(BusMessageInterceptor.name, () => {
  let lines: Array<Record<string, unknown>>;

  beforeEach(() => {
    lines = [];
    const destination = { write: (line: string) => lines.push(JSON.parse(line)) };
    Logger.overrideLogger(new PinoNestLogger(createRootLogger('user-service', 'info', destination)));
    metrics.busMessages.reset();
    metrics.busMessageDuration.reset();
  });

  afterEach(() => {
    Logger.overrideLogger(false);
  });

  it('writes one info line per message with subject, duration and outcome, in the sender\'s correlation id', async () => {
    await withCorrelation('req-abc', () => lastValueFrom(new BusMessageInterceptor().intercept(natsContext('user.cmd.create'), handler(() => of({ id: 'u1', password: 'x' })))));
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, service: 'user-service', correlationId: 'req-abc', msg: 'Bus message handled', subject: 'user.cmd.create', outcome: 'ok', durationMs: expect.any(Number) }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('password');
  });

  it('names the error code the caller receives when the handler fails', async () => {
    const failing = handler(() => throwError(() => new DomainError(ErrorCodes.emailTaken, 'taken')));
    await expect(lastValueFrom(new BusMessageInterceptor().intercept(natsContext('user.cmd.create'), failing))).rejects.toThrow('taken');
    expect(lines).toEqual([expect.objectContaining({ subject: 'user.cmd.create', outcome: 'error', errorCode: ErrorCodes.emailTaken })]);
  });

  it('counts the message and observes its duration by subject and outcome', async () => {
    await lastValueFrom(new BusMessageInterceptor().intercept(natsContext('user.cmd.create'), handler(() => of(1))));
    await lastValueFrom(new BusMessageInterceptor().intercept(natsContext('user.cmd.create'), handler(() => throwError(() => new Error('boom'))))).catch(() => undefined);
    const counted = (await metrics.busMessages.get()).values.map((v) => ({ labels: v.labels, value: v.value }));
    expect(counted).toEqual(
      expect.arrayContaining([
        { labels: { subject: 'user.cmd.create', outcome: 'ok', code: '' }, value: 1 },
        { labels: { subject: 'user.cmd.create', outcome: 'error', code: ErrorCodes.internal }, value: 1 },
      ]),
    );
    const durations = (await metrics.busMessageDuration.get()).values.filter((v) => v.metricName === 'bus_message_duration_seconds_count');
    expect(durations.map((v) => [v.labels.outcome, v.value]).sort()).toEqual([['error', 1], ['ok', 1]]);
  });
});
