'use strict';
// npm run build: every app to dist/apps/<app>/main.js (webpack bundles, node_modules external).
const { spawnSync } = require('node:child_process');
const { apps } = require('./apps');

const nest = require.resolve('@nestjs/cli/bin/nest.js');
const root = require('node:path').join(__dirname, '..');
const started = new Date();
const result = spawnSync(process.execPath, [nest, 'build', ...apps], { stdio: 'inherit', cwd: root });
// When the sources were last built (webpack does not rewrite a bundle whose content is the same,
// so the bundles' own times cannot tell): scripts/build-if-needed.js compares with it.
if (result.status === 0) require('./build-if-needed').markBuilt(started);
process.exit(result.status ?? 1);
