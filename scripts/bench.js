'use strict';
// npm run bench [-- --quick] [-- --stacks N --duration S --connections C --storm N --floor-iterations N --out FILE --no-build --node-options "FLAGS"]
// Builds the apps if needed (the bench runs dist/, as the end-to-end tests do; --no-build
// measures dist/ as it is), then runs the bench's TypeScript through bench/register.js (per-file
// transpile, no extra tooling). A benchmark, not a test: it prints figures and exits 0 unless it
// could not run. See bench/README.md.
const { services } = require('./apps');

if (!process.argv.includes('--no-build')) require('./build-if-needed').buildIfNeeded(services);
require('../bench/register');
require('../bench/main.ts');
