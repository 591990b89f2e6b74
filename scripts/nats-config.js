'use strict';
// npm run nats:config -- --out DIR: the NATS server configuration, a user per service with a
// random password, and the permissions generated from libs/contracts. Builds first if needed
// (it runs after `npm ci` on a fresh clone, without network), then runs the built tool.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { buildIfNeeded } = require('./build-if-needed');

buildIfNeeded(['nats-config']);
const result = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'apps', 'nats-config', 'main.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
