import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { createTestDatabase, TestDatabase } from './postgres';

export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';

const run = promisify(execFile);

/** Runs a Postgres binary as the `postgres` OS user: the server refuses to run as root. */
async function asPostgres(binary: string, args: string[]): Promise<void> {
  const command = userInfo().username === 'postgres' ? [join(POSTGRES_BIN_DIR, binary), ...args] : ['runuser', '-u', 'postgres', '--', join(POSTGRES_BIN_DIR, binary), ...args];
  try {
    await run(command[0], command.slice(1), { timeout: 60_000 });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${stderr || stdout || (error as Error).message}`);
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A private PostgreSQL 15 for tests that stop and restart the database for real (the machine's
 * shared server must never be stopped). Trust auth, user `postgres`, 127.0.0.1 on a free port,
 * its unix socket and data in a temp dir. initdb costs about a second: once per test file.
 */
export class TestPostgresServer {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async create(): Promise<TestPostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 'pg-'));
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
    const server = new TestPostgresServer(await freePort(), dir);
    try {
      await asPostgres('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
      await server.start();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  get isRunning(): boolean {
    return this.running;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server (again), on the same port and data, and waits until it accepts connections. */
  async start(): Promise<void> {
    if (this.running) return;
    // fsync off: test data need not survive a machine crash, and the disk is shared. A stopped
    // server (even `immediate`) still loses nothing: the OS keeps what was written.
    const options = `-h 127.0.0.1 -p ${this.port} -k ${this.dir} -c fsync=off`;
    await asPostgres('pg_ctl', ['start', '-D', this.dataDir, '-l', join(this.dir, 'postgres.log'), '-w', '-t', '60', '-o', options]);
    this.running = true;
  }

  /**
   * Stops the server and waits until it is gone. `fast` rolls back open transactions and closes
   * connections cleanly; `immediate` is a crash: no shutdown checkpoint, recovery on next start.
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return;
    await asPostgres('pg_ctl', ['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '60']);
    this.running = false;
  }

  async restart(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  /** A fresh database on this server; dropping it is skipped while the server is down (destroy() removes it anyway). */
  async createDatabase(prefix = 't'): Promise<TestDatabase> {
    const db = await createTestDatabase(prefix, this.url());
    return { ...db, drop: () => (this.running ? db.drop() : Promise.resolve()) };
  }

  /** Stops the server and deletes its data. */
  async destroy(): Promise<void> {
    try {
      await this.stop('immediate');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }
}
