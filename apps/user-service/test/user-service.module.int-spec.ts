import { randomBytes, randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NATS_LINK } from '@app/common';
import { loadConfig } from '@app/config';
import { ErrorCodes } from '@app/contracts';
import { createTestDatabase, principalKeyEnv, TestDatabase } from '@app/testing';
import { DataSource } from 'typeorm';
import { LoginMessageController } from '../src/login/login.message.controller';
import { OrganizationDirectory } from '@app/common';
import { SessionsMessageController } from '../src/sessions/sessions.message.controller';
import { UserServiceModule } from '../src/user-service.module';
import { UserManagementMessageController } from '../src/user-management/user-management.message.controller';
import { insertUser, PASSWORD } from './fixtures';

/** The module as main.ts builds it, with the two ports to the outside (NATS, organization-service) stubbed. */
describe(UserServiceModule.name, () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  const organizationId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase('int_user_module');
    const config = loadConfig({ AUTH_SECRET: randomBytes(32).toString('base64url'), ...principalKeyEnv(), DB_CONNECTION_URI: db.url });
    const moduleRef = await Test.createTestingModule({ imports: [UserServiceModule.forRoot(config)] })
      .overrideProvider(NATS_LINK)
      .useValue({ opened: undefined })
      .overrideProvider(OrganizationDirectory)
      .useValue({ memberRole: () => Promise.resolve('member'), setIdentityRole: () => Promise.reject(new Error('not used')) } satisfies OrganizationDirectory)
      .compile();
    app = await moduleRef.init();
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('wires login, authenticate, select-organization and the admin commands together', async () => {
    const user = await insertUser(app.get(DataSource), { superAdmin: true });
    const sessions = app.get(SessionsMessageController);
    const management = app.get(UserManagementMessageController);

    const { accessToken } = await app.get(LoginMessageController).login({ email: user.email, password: PASSWORD, clientAddress: '192.0.2.1' });
    const caller = await sessions.authenticate({ token: accessToken });
    expect(caller).toMatchObject({ type: 'user', id: user.id, orgId: null, isInstanceAdmin: true });

    const { token } = await sessions.selectOrganization({ caller, organizationId });
    const scoped = await sessions.authenticate({ token });
    expect(scoped).toMatchObject({ id: user.id, orgId: organizationId, tokenId: caller.tokenId });

    await expect(management.list({ caller: scoped, searchTerm: user.email, offset: 0, limit: 20, adminsOnly: true })).resolves.toMatchObject({
      users: [{ id: user.id }],
      total: 1,
    });
    await expect(management.listAdminIds({})).resolves.toEqual({ ids: [user.id] });
    await expect(management.delete({ caller: scoped, userId: user.id, lastAdmin: false })).resolves.toMatchObject({ user: { id: user.id } });
    await expect(sessions.authenticate({ token })).rejects.toMatchObject({ code: ErrorCodes.tokenRevoked });
  });
});
