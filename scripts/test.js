'use strict';
// npm test: type-check, build (the end-to-end tests run the built apps, as containers would),
// then every jest tier. Ends with one line "N passed, M failed" from jest's JSON summary.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const reportDir = join(root, 'reports');
const report = join(reportDir, 'jest.json');
const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root }).status ?? 1;

mkdirSync(reportDir, { recursive: true });
rmSync(report, { force: true });
rmSync(join(reportDir, 'logs'), { recursive: true, force: true });

let status = run([require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
if (status === 0) status = run([join(__dirname, 'build.js')]);
if (status === 0) {
  status = run([require.resolve('jest/bin/jest'), '--json', `--outputFile=${report}`, ...process.argv.slice(2)]);
}

if (existsSync(report)) {
  const summary = JSON.parse(readFileSync(report, 'utf8'));
  console.log(`${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
} else {
  console.log('0 passed, 0 failed (type-check or build failed before any test ran)');
}
process.exit(status);
