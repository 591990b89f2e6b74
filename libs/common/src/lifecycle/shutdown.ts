import { DynamicModule, Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { gatewaySagaWaitMs } from '../bus/timeouts';
import { flushLogs } from '../logging/logger';

/** The signals a container runtime or a terminal stops us with. */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** What the hard limit adds to the drain timeout: closing the database and the bus connections. */
export const SHUTDOWN_MARGIN_MS = 5_000;

/**
 * How long shutdown waits for work in flight. The longest is the orchestrator's: a whole
 * bootstrap saga, up to its deadline, plus its compensation (the gateway's request waits as long).
 */
export function drainTimeoutMs(config: AppConfig): number {
  return gatewaySagaWaitMs(config);
}

export function shutdownLimitMs(config: AppConfig): number {
  return drainTimeoutMs(config) + SHUTDOWN_MARGIN_MS;
}

/**
 * On the first SIGTERM or SIGINT: logs "shutting down" and arms a hard limit, so a shutdown that
 * hangs (a handler that never ends, a broker that never answers) ends with an error line and
 * exit code 1 instead of lingering until the orchestrator's SIGKILL. Nest's enableShutdownHooks()
 * does the graceful part and re-raises the signal; call this next to it, not earlier: before it,
 * the default action ending the process at once is right, since nothing runs yet.
 */
export function armShutdownLimit(limitMs: number): void {
  const logger = new Logger('Shutdown');
  const onSignal = (signal: NodeJS.Signals) => {
    // Removed at once, so the signal Nest re-raises at the end takes its default action.
    for (const s of SHUTDOWN_SIGNALS) process.removeListener(s, onSignal);
    logger.log({ msg: 'shutting down', signal, limitMs });
    setTimeout(() => {
      logger.error({ msg: 'Shutdown did not finish within its limit; exiting', limitMs });
      process.exit(1);
    }, limitMs).unref();
  };
  for (const s of SHUTDOWN_SIGNALS) process.on(s, onSignal);
}

@Injectable()
class StoppedLog implements OnApplicationShutdown {
  onApplicationShutdown(signal?: string): void {
    new Logger('Shutdown').log({ msg: 'stopped', signal });
    // Nest re-raises the signal next, which ends the process at once.
    flushLogs();
  }
}

/*
 * Nest runs the onApplicationShutdown hooks of global modules last (the database and bus
 * connections close there), in reverse order of their registration. Imported first, this
 * module registers before every other global one, so its "stopped" line comes after all of them.
 */
@Global()
@Module({ providers: [StoppedLog] })
class StoppedLogModule {}

/** Wraps an app's root module so the app logs "stopped" once every shutdown hook has run. */
export function withStoppedLog(root: DynamicModule): DynamicModule {
  @Module({})
  class AppRootModule {}
  return { module: AppRootModule, imports: [StoppedLogModule, root] };
}
