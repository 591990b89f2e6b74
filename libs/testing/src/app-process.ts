import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const LOG_DIR = join(REPO_ROOT, 'reports', 'logs');

export const APPS = ['saga-orchestrator', 'user-service', 'organization-service', 'identity-service', 'api-gateway'] as const;
export type AppName = (typeof APPS)[number];

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One built app (`node dist/apps/<app>/main.js`, exactly what a container runs) as a child
 * process with its own environment. Output goes to reports/logs/<label>.log and is kept in
 * memory for assertions (e.g. that no secret was ever logged).
 */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';
  private log?: WriteStream;
  private exitWaiters: Array<(exit: ProcessExit) => void> = [];
  private lastExit?: ProcessExit;

  constructor(
    readonly app: AppName,
    readonly label: string,
    private readonly env: Record<string, string>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The HEALTH_PORT it was given (its /health and /metrics), if any. */
  get healthPort(): number | undefined {
    return this.env.HEALTH_PORT === undefined ? undefined : Number(this.env.HEALTH_PORT);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How the last run ended; undefined while the first run is still going. */
  get exit(): ProcessExit | undefined {
    return this.lastExit;
  }

  /** Everything the process printed, across restarts. */
  get logs(): string {
    return this.output;
  }

  /** Starts the process and resolves when it logs that it is ready (or rejects if it exits first). */
  async start(readyTimeoutMs = 30_000): Promise<void> {
    mkdirSync(LOG_DIR, { recursive: true });
    this.log ??= createWriteStream(join(LOG_DIR, `${this.label}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'apps', this.app, 'main.js')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const mark = this.output.length;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.output += text;
      this.log?.write(text);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      this.lastExit = { code, signal };
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      waiters.forEach((w) => w({ code, signal }));
    });
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.label} not ready after ${readyTimeoutMs} ms:\n${this.output.slice(mark).slice(-2000)}`));
      }, readyTimeoutMs);
      const check = () => {
        if (this.output.slice(mark).includes('"msg":"service ready"')) {
          cleanup();
          resolvePromise();
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`${this.label} exited with ${code} before it was ready:\n${this.output.slice(mark).slice(-2000)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        child.off('exit', onExit);
      };
      child.stdout?.on('data', check);
      child.once('exit', onExit);
      check();
    });
  }

  /**
   * Sends a signal and waits for the process to exit; SIGKILLs it after `timeoutMs`. Resolves to
   * how it ended, so a test can tell a clean exit from one that had to be killed.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<ProcessExit | undefined> {
    if (!this.running) return undefined;
    const exited = new Promise<ProcessExit>((r) => this.exitWaiters.push(r));
    this.child?.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  }

  /** Resolves once the running process prints something matching `pattern` from now on. */
  waitForLog(pattern: RegExp | string, timeoutMs = 20_000): Promise<void> {
    const mark = this.output.length;
    const matches = () => {
      const text = this.output.slice(mark);
      return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
    };
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        if (!matches()) return;
        cleanup();
        resolvePromise();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.label} did not log ${String(pattern)} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.child?.stdout?.off('data', check);
        this.child?.stderr?.off('data', check);
      };
      // Registered after the collecting listener, so `output` already holds the chunk.
      this.child?.stdout?.on('data', check);
      this.child?.stderr?.on('data', check);
    });
  }

  async kill(): Promise<void> {
    await this.stop('SIGKILL');
  }

  /** Pauses the process (SIGSTOP): it stays connected but stops answering. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async dispose(): Promise<void> {
    this.thaw();
    await this.kill();
    await new Promise<void>((r) => (this.log ? this.log.end(r) : r()));
    this.log = undefined;
  }
}
