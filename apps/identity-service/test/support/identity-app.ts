import { randomBytes, randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { CommandMap, DEFAULT_ACCESS_TOKEN_TTL_SECONDS, IdentitySubjects, OrgRole, Principal, ReplyOf, Subjects } from '@app/contracts';
import { BusExceptionFilter, NATS_LINK } from '@app/common';
import { TokenService } from '@app/tokens';
import { AppConfig, loadConfig } from '@app/config';
import { createTestDatabase, principalKeyEnv, TestDatabase } from '@app/testing';
import { INestMicroservice } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrganizationDirectory } from '@app/common';
import { IdentityServiceModule } from '../../src/identity-service.module';
import { InProcessTransport } from './in-process-transport';
import { StubOrganizationDirectory } from './stub-organization-directory';

export const AUTH_SECRET = randomBytes(32).toString('base64url');

type IdentitySubject = (typeof IdentitySubjects)[keyof typeof IdentitySubjects];

/**
 * identity-service as it runs (its real module: guards, pipes, exception filter, migrations on a
 * real Postgres), reached in-process instead of over NATS, with organization-service replaced by
 * a stub of the OrganizationDirectory port.
 */
export class IdentityApp {
  readonly tokens = new TokenService(AUTH_SECRET);

  private constructor(
    private readonly app: INestMicroservice,
    private readonly transport: InProcessTransport,
    readonly directory: StubOrganizationDirectory,
    readonly dataSource: DataSource,
  ) {}

  static async start(databaseUrl: string, env: Record<string, string> = {}): Promise<IdentityApp> {
    const config: AppConfig = { ...loadConfig({ AUTH_SECRET, ...principalKeyEnv(), ...env }), databaseUrl };
    const directory = new StubOrganizationDirectory();
    const moduleRef = await Test.createTestingModule({ imports: [IdentityServiceModule.forRoot(config)] })
      // No outgoing NATS connection: the only thing that would use it is the directory, stubbed.
      .overrideProvider(NATS_LINK)
      .useValue({ opened: undefined })
      .overrideProvider(OrganizationDirectory)
      .useValue(directory)
      .compile();
    const transport = new InProcessTransport();
    const app = moduleRef.createNestMicroservice({ strategy: transport });
    app.useGlobalFilters(new BusExceptionFilter());
    await app.listen();
    return new IdentityApp(app, transport, directory, app.get(DataSource));
  }

  send<S extends IdentitySubject>(subject: S, payload: CommandMap[S]['request']): Promise<ReplyOf<S>> {
    return this.transport.request(subject, payload) as Promise<ReplyOf<S>>;
  }

  /** Any payload, for what the typed send would not compile. */
  sendRaw(subject: string, payload: unknown, headers?: Record<string, string>): Promise<unknown> {
    return this.transport.request(subject, payload, headers);
  }

  handles(subject: string): boolean {
    return this.transport.handles(subject);
  }

  close(): Promise<void> {
    return this.app.close();
  }

  // ---- fixtures, made through the service's own commands ----

  /** An instance-admin identity as bootstrap makes it (Token Auth and a root token). */
  async instanceAdminIdentity(orgId: string = randomUUID()) {
    const reply = await this.send(Subjects.identity.createInstanceAdmin, { sagaId: randomUUID(), organizationId: orgId });
    return { ...reply.identity, rootToken: reply.accessToken };
  }

  /** An ordinary identity, as the identity-creation saga makes it, with its role in its organization. */
  async identity(orgId: string, role: OrgRole = 'member', name = 'ci-robot') {
    const { identity } = await this.send(Subjects.identity.create, {
      sagaId: randomUUID(),
      caller: principal({ orgId, isInstanceAdmin: true }),
      identityId: randomUUID(),
      name,
      organizationId: orgId,
    });
    this.directory.grant(orgId, { type: 'identity', id: identity.id }, role);
    return identity;
  }

  /** Token Auth attached by an instance admin. */
  async withTokenAuth(identityId: string, accessTokenTTL = DEFAULT_ACCESS_TOKEN_TTL_SECONDS, accessTokenMaxTTL = DEFAULT_ACCESS_TOKEN_TTL_SECONDS) {
    await this.send(Subjects.identity.attachTokenAuth, { caller: instanceAdmin(), identityId, accessTokenTTL, accessTokenMaxTTL });
  }

  /** An ordinary identity with Token Auth, and an admin of its organization to manage it. */
  async managedIdentity(accessTokenTTL = 3600, accessTokenMaxTTL = 7200): Promise<{ identityId: string; caller: Principal }> {
    const identity = await this.identity(randomUUID());
    await this.withTokenAuth(identity.id, accessTokenTTL, accessTokenMaxTTL);
    return { identityId: identity.id, caller: this.memberOf(identity.orgId, 'admin') };
  }

  /** A principal that is an admin (or other role) of the organization, not an instance admin. */
  memberOf(orgId: string, role: OrgRole, type: Principal['type'] = 'user'): Principal {
    const caller = principal({ type, orgId });
    this.directory.grant(orgId, { type, id: caller.id }, role);
    return caller;
  }
}

export function principal(over: Partial<Principal> = {}): Principal {
  return { type: 'user', id: randomUUID(), orgId: null, isInstanceAdmin: false, tokenId: randomUUID(), ...over };
}

export const instanceAdmin = (over: Partial<Principal> = {}) => principal({ isInstanceAdmin: true, ...over });

/** One database and one running service per test file. */
export function useIdentityApp(prefix: string, env: Record<string, string> = {}): () => IdentityApp {
  let db: TestDatabase;
  let app: IdentityApp;
  beforeAll(async () => {
    db = await createTestDatabase(prefix);
    app = await IdentityApp.start(db.url, env);
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });
  return () => app;
}
