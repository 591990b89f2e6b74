/** One jest run, three tiers: unit (*.spec.ts beside the code), integration (real Postgres), e2e (every service its own process). */
const moduleNameMapper = {
  '^@app/(contracts|common|config|database|testing|nats-auth|tokens)$': '<rootDir>/libs/$1/src',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const common = { rootDir: __dirname, setupFiles: ['<rootDir>/test/setup/quiet-nest-logger.ts'], testEnvironment: 'node', moduleNameMapper, transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/apps/**/test/*.int-spec.ts', '<rootDir>/libs/**/test/*.int-spec.ts', '<rootDir>/test/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/*.e2e-spec.ts'], slowTestThreshold: 60 },
  ],
};
