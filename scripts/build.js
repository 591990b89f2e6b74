'use strict';
// npm run build: every app to dist/apps/<app>/main.js — Nest's webpack build of our code, then
// esbuild bundles in the packages it uses (scripts/bundle.js).
const { spawnSync } = require('node:child_process');
const { apps } = require('./apps');
const { bundle } = require('./bundle');

const nest = require.resolve('@nestjs/cli/bin/nest.js');
const root = require('node:path').join(__dirname, '..');
const started = new Date();
const result = spawnSync(process.execPath, [nest, 'build', ...apps], { stdio: 'inherit', cwd: root });
if (result.status !== 0) process.exit(result.status ?? 1);
Promise.all(apps.map(bundle)).then(
  // When the sources were last built: scripts/build-if-needed.js compares with it.
  () => require('./build-if-needed').markBuilt(started),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);
