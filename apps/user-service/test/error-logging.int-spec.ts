import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { ArgumentsHost, Logger } from '@nestjs/common';
import { BusExceptionFilter, createRootLogger, PinoNestLogger } from '@app/common';
import { TestDatabase, useServiceDatabase } from '@app/testing';
import { firstValueFrom } from 'rxjs';
import { DataSource, QueryFailedError } from 'typeorm';
import { userDatabase } from '../src/user.database';
import { UsersService } from '../src/users/users.service';

const PASSWORD = 'correct horse battery staple';

/**
 * A database error the code does not expect, for real: the INSERT carrying the argon2 hash fails
 * on a constraint added behind the service's back. Postgres then reports the failing row (hash
 * included) and TypeORM keeps the statement and its parameters on the error; none of it may
 * reach a log line.
 */
describe('A failed insert of a user, as logged', () => {
  const database = useServiceDatabase('int_user_errlog', userDatabase);
  let db: TestDatabase;
  let dataSource: DataSource;
  const lines: string[] = [];

  beforeAll(async () => {
    ({ db, dataSource } = database);
    await db.query('ALTER TABLE user_service.users ADD CONSTRAINT no_admins_today CHECK (NOT super_admin)');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    Logger.overrideLogger(new PinoNestLogger(createRootLogger('user-service', 'debug', sink)));
  }, 30_000);

  afterAll(async () => {
    Logger.overrideLogger(false);
  });

  it('keeps the hash, the statement and its parameters out of the log, yet says what failed', async () => {
    const sagaId = randomUUID();
    const email = `admin-${sagaId.slice(0, 8)}@example.com`;
    const failure: unknown = await new UsersService(dataSource).createAdmin(sagaId, randomUUID(), email, PASSWORD).then(
      () => undefined,
      (error: unknown) => error,
    );
    // The premise: the error itself does carry the secret.
    expect(failure).toBeInstanceOf(QueryFailedError);
    const hash = (failure as QueryFailedError).parameters?.find((p: unknown) => typeof p === 'string' && p.startsWith('$argon2')) as string;
    expect(hash).toBeDefined();
    expect(JSON.stringify((failure as QueryFailedError).driverError)).toContain(hash.slice(0, 40));

    // What the bus service does with a handler's unexpected error: log it, answer INTERNAL.
    const reply = await firstValueFrom(new BusExceptionFilter().catch(failure, {} as ArgumentsHost)).catch((body: unknown) => body);
    expect(reply).toEqual({ code: 'INTERNAL', message: 'Internal error' });

    const log = lines.join('');
    expect(log).toContain('Handler failed');
    expect(log).toContain('"code":"23514"');
    expect(log).toContain('no_admins_today');
    expect(log).not.toContain('$argon2');
    expect(log).not.toContain(hash.slice(hash.lastIndexOf('$') + 1));
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(email);
    expect(log).not.toContain(sagaId);
    expect(log).not.toMatch(/INSERT|parameters|driverError|Failing row/);
  });
});
