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

/**
 * Synchronous writes: pino's default destination writes asynchronously, so the last lines before
 * the process ends (a shutdown's "stopped", ended by the re-raised signal, or a crash) would be
 * lost. Log lines are few (debug aside); a blocking write costs microseconds.
 */
export function createRootLogger(
  service: string,
  level: string,
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true }),
): PinoLogger {
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
