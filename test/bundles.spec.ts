import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// What each built app loads at start (the `require`s its bundle keeps: node_modules are not
// bundled). Every package loaded is start-up time and memory of every replica (see
// bench/README.md), and a package a process has no use for is attack surface: the gateway has
// no database, and only the services that sign tokens load a JWT library.
const requiresOf = (app: string): string[] => {
  const bundle = readFileSync(join(__dirname, '..', 'dist', 'apps', app, 'main.js'), 'utf8');
  return [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((name) => !name.startsWith('node:'));
};

describe('built apps (npm test builds them first)', () => {
  it('the gateway loads no database, ORM or password hashing package, nor the bus services\' server side', () => {
    expect(requiresOf('api-gateway')).toEqual(expect.not.arrayContaining(['typeorm', '@nestjs/typeorm', 'pg', 'argon2', '@nestjs/microservices']));
  });

  it.each(['api-gateway', 'saga-orchestrator', 'organization-service'])('%s loads no JWT library (it neither signs nor verifies tokens)', (app) => {
    expect(requiresOf(app)).toEqual(expect.not.arrayContaining(['@nestjs/jwt', 'jsonwebtoken']));
  });

  it.each(['saga-orchestrator', 'user-service', 'organization-service', 'identity-service'])('%s loads no HTTP framework or API docs', (app) => {
    expect(requiresOf(app)).toEqual(expect.not.arrayContaining(['@nestjs/platform-fastify', 'fastify', '@nestjs/swagger']));
  });
});
