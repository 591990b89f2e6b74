'use strict';
// Builds (scripts/build.js: every app) when one of `apps` has no build yet or the sources are
// newer than its build. Used by npm start and npm run nats:config.
const { existsSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');

// Tests are not part of the build: changing one must not trigger a rebuild.
const isTest = (name) => name === 'test' || /\.(spec|int-spec|e2e-spec)\.ts$/.test(name);

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path)
    .filter((entry) => !isTest(entry))
    .reduce((max, entry) => Math.max(max, newestMtime(join(path, entry))), 0);
}

// Written by scripts/build.js after a successful build, dated when that build started.
const stamp = join(root, 'dist', '.built');

function markBuilt(startedAt) {
  writeFileSync(stamp, `${startedAt.toISOString()}\n`);
  utimesSync(stamp, startedAt, startedAt);
}

function needsBuild(apps) {
  const outputs = apps.map((app) => join(root, 'dist', 'apps', app, 'main.js'));
  if (!outputs.every(existsSync) || !existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const inputs = ['apps', 'libs', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'scripts/build.js', 'scripts/bundle.js'];
  return inputs.some((input) => newestMtime(join(root, input)) > built);
}

/** Builds if needed; exits the process with the build's status when the build fails. */
function buildIfNeeded(apps) {
  if (!needsBuild(apps)) return;
  console.log('Building…');
  const build = spawnSync(process.execPath, [join(__dirname, 'build.js')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

module.exports = { buildIfNeeded, markBuilt, needsBuild };
