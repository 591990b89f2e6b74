'use strict';
// npm run build: every app to dist/apps/<app>/main.js (webpack bundles, node_modules external).
const { spawnSync } = require('node:child_process');
const { apps } = require('./apps');

const nest = require.resolve('@nestjs/cli/bin/nest.js');
const result = spawnSync(process.execPath, [nest, 'build', ...apps], { stdio: 'inherit', cwd: require('node:path').join(__dirname, '..') });
process.exit(result.status ?? 1);
