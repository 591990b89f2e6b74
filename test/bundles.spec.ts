import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// What each built app carries, as scripts/bundle.js records it beside the bundle: the packages
// our code requires, every package bundled in, and what is left to require at run time. Every
// package loaded is start-up time and memory of every replica (see bench/README.md), and a
// package a process has no use for is attack surface: the gateway has no database, and only the
// services that sign tokens load a JWT library.
interface AppPackages {
  required: string[];
  bundled: string[];
  external: string[];
}
const packagesOf = (app: string): AppPackages =>
  JSON.parse(readFileSync(join(__dirname, '..', 'dist', 'apps', app, 'packages.json'), 'utf8')) as AppPackages;
const carried = (app: string) => [...packagesOf(app).bundled, ...packagesOf(app).external];

describe('built apps (npm test builds them first)', () => {
  it('the gateway carries no database driver, ORM or password hashing package, and its code does not use the bus services\' server side', () => {
    expect(carried('api-gateway')).toEqual(expect.not.arrayContaining(['typeorm', '@nestjs/typeorm', 'pg', 'argon2']));
    // Nest's core loads @nestjs/microservices' module when the package is installed; our
    // gateway's code does not use it.
    expect(packagesOf('api-gateway').required).not.toContain('@nestjs/microservices');
  });

  it.each(['api-gateway', 'saga-orchestrator', 'organization-service'])('%s carries no JWT library (it neither signs nor verifies tokens)', (app) => {
    expect(carried(app)).toEqual(expect.not.arrayContaining(['@nestjs/jwt', 'jsonwebtoken']));
  });

  it.each(['saga-orchestrator', 'user-service', 'organization-service', 'identity-service'])('%s carries no HTTP framework or API docs', (app) => {
    expect(carried(app)).toEqual(expect.not.arrayContaining(['@nestjs/platform-fastify', 'fastify', '@nestjs/swagger']));
  });

  it.each(['saga-orchestrator', 'user-service', 'organization-service', 'identity-service', 'api-gateway'])(
    '%s has its packages bundled in: only argon2, swagger-ui\'s files and packages that are not installed are left to node_modules',
    (app) => {
      const { bundled, external } = packagesOf(app);
      expect(bundled).toEqual(expect.arrayContaining(['@nestjs/core', 'nats', 'pino', 'zod']));
      for (const name of external) {
        if (name === 'argon2' || name.startsWith('swagger-ui-dist')) continue;
        expect(() => require.resolve(name)).toThrow();
      }
      if (app !== 'api-gateway') expect(bundled).toEqual(expect.arrayContaining(['typeorm', 'pg']));
    },
  );
});
