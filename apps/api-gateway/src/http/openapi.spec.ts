import { Controller, Get } from '@nestjs/common';
import { CONTROLLERS } from '../api-gateway.module';
import { buildOpenApiDocument } from './openapi';

/** Every route of the HTTP contract (shared/spec/http-api.md). */
const CONTRACT_ROUTES = [
  'post /api/v1/admin/bootstrap',
  'get /api/v1/admin/config',
  'get /api/status',
  'get /api/health',
  'post /api/v1/projects',
  'post /api/v2/projects',
  'post /api/v2/workspace',
  'get /api/v1/projects',
  'post /api/v1/identities',
  'get /api/v1/identities/{identityId}',
  'patch /api/v1/identities/{identityId}',
  'delete /api/v1/identities/{identityId}',
  'post /api/v1/auth/token-auth/identities/{identityId}',
  'post /api/v1/auth/token-auth/identities/{identityId}/tokens',
  'get /api/v1/auth/token-auth/identities/{identityId}/tokens',
  'post /api/v1/auth/token-auth/tokens/{tokenId}/revoke',
  'post /api/v1/auth/token/revoke',
  'get /api/v1/admin/user-management/users',
  'delete /api/v1/admin/user-management/users/{userId}',
  'get /api/v1/admin/identity-management/identities',
  'delete /api/v1/admin/identity-management/identities/{identityId}/super-admin-access',
  'post /api/v3/auth/login',
  'post /api/v3/auth/select-organization',
];

const document = buildOpenApiDocument(CONTROLLERS);
const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  Object.entries(item as Record<string, any>).map(([method, operation]) => ({ route: `${method} ${path}`, operation })),
);
const operation = (route: string) => operations.find((o) => o.route === route)?.operation;

describe(buildOpenApiDocument.name, () => {
  it('describes every route of the contract, and no other', () => {
    expect(operations.map((o) => o.route).sort()).toEqual([...CONTRACT_ROUTES].sort());
  });

  it.each(CONTRACT_ROUTES)('gives %s a 200 body schema and its error answers', (route) => {
    const op = operation(route);
    expect(op.responses['200'].content['application/json'].schema).toBeDefined();
    expect(op.responses['503']).toBeDefined();
  });

  it('takes request bodies from the zod schemas that validate them', () => {
    const body = operation('post /api/v2/projects').requestBody.content['application/json'].schema;
    expect(body.properties.slug.pattern).toBe('^[a-z0-9-]{5,36}$');
    expect(body.required).toEqual(['projectName']);
  });

  it('documents path and query parameters', () => {
    const params = operation('get /api/v1/auth/token-auth/identities/{identityId}/tokens').parameters.map((p: any) => `${p.in}:${p.name}`);
    expect(params).toEqual(expect.arrayContaining(['path:identityId', 'query:offset', 'query:limit']));
  });

  it('marks authenticated routes with the bearer scheme and their 401/403, and public ones without', () => {
    expect(operation('post /api/v2/projects').security).toEqual([{ bearer: [] }]);
    expect(Object.keys(operation('post /api/v2/projects').responses)).toEqual(expect.arrayContaining(['401', '403', '422']));
    expect(operation('post /api/v1/admin/bootstrap').security).toEqual([]);
    expect(operation('post /api/v3/auth/login').security).toEqual([]);
  });

  it('refuses to build with a route that has no description', () => {
    @Controller('x')
    class Undocumented {
      @Get()
      get(): void {}
    }
    expect(() => buildOpenApiDocument([Undocumented])).toThrow('Undocumented.get has no @ApiRoute description');
  });
});
