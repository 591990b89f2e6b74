import { LoggerService } from '@nestjs/common';
import pino, { Logger as PinoLogger } from 'pino';
import { currentCorrelationId } from './correlation';
import { serializeError } from './error-serializer';

/**
 * Defence in depth: code never logs secrets, and these paths are censored should one slip into
 * a logged object anyway.
 */
const REDACT_PATHS = [
  'password', '*.password', 'passwordHash', '*.passwordHash', 'token', '*.token',
  'accessToken', '*.accessToken', 'authorization', '*.authorization', 'headers.authorization',
  'credentials', '*.credentials', 'secret', '*.secret',
];

const pendingFlushes = new Set<() => void>();

/** Writes every log line not written yet, now: before a process ends by a re-raised signal. */
export function flushLogs(): void {
  for (const flush of pendingFlushes) flush();
}

/**
 * Standard output, written synchronously but once per turn of the event loop: the lines logged in
 * one turn go out in one write. Synchronous, because pino's asynchronous destination would lose
 * the last lines before the process ends (a shutdown's "stopped", ended by the re-raised signal,
 * or a crash) and could reorder them with a flush at exit; once per turn, because a write to a
 * pipe (a container's log driver, a test's parent) costs more than making the line here, and
 * under load one turn logs a line per request (see bench/README.md). Lines wait at most until
 * the end of the turn; `exit` and flushLogs() write what is left.
 */
export function oncePerTurn(out: pino.DestinationStream = pino.destination({ dest: 1, sync: true })): pino.DestinationStream {
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const lines = pending;
    pending = '';
    out.write(lines);
  };
  if (pendingFlushes.size === 0) process.on('exit', flushLogs);
  pendingFlushes.add(flush);
  return {
    write(line: string) {
      if (pending === '') setImmediate(flush);
      pending += line;
    },
  };
}

export function createRootLogger(service: string, level: string, destination: pino.DestinationStream = oncePerTurn()): PinoLogger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // An error is logged through an allow-list: a database error carries the statement's
    // parameters (a password hash on a failed insert) and the failing row.
    serializers: { err: serializeError, error: serializeError },
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId === undefined ? {} : { correlationId };
    },
  }, destination);
}

/** Nest's LoggerService on pino: `new Logger(X.name)` everywhere ends up here as structured JSON. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context (class name) last; an error's stack, when present, before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    if (level === 'error' && typeof rest[0] === 'string') fields.stack = rest[0];
    if (message instanceof Error) {
      this.root[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, ...others } = message as Record<string, unknown>;
      this.root[level]({ ...fields, ...others }, typeof msg === 'string' ? msg : '');
    } else {
      this.root[level](fields, String(message));
    }
  }
}
