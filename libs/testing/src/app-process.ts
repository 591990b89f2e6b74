import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const LOG_DIR = join(REPO_ROOT, 'reports', 'logs');

export const APPS = ['saga-orchestrator', 'user-service', 'organization-service', 'identity-service', 'api-gateway'] as const;
export type AppName = (typeof APPS)[number];

/**
 * One built app (`node dist/apps/<app>/main.js`, exactly what a container runs) as a child
 * process with its own environment. Output goes to reports/logs/<label>.log and is kept in
 * memory for assertions (e.g. that no secret was ever logged).
 */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';
  private log?: WriteStream;
  private exitWaiters: Array<() => void> = [];

  constructor(
    readonly app: AppName,
    readonly label: string,
    private readonly env: Record<string, string>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
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
    child.once('exit', () => {
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      waiters.forEach((w) => w());
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

  /** Sends a signal and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.exitWaiters.push(r));
    this.child?.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
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
