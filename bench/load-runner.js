'use strict';
/*
 * The load generator, as its own process (scripts/bench.js spawns it under `taskset -c 1`):
 * one warm-up run, then the measured run with the same settings; prints autocannon's result of
 * the measured run as one JSON line on stdout.
 *   node bench/load-runner.js '{"url":…,"method":…,"headers":…,"body":…,"connections":10,"duration":5,"warmup":1}'
 */
const autocannon = require('autocannon');

const { warmup = 1, ...options } = JSON.parse(process.argv[2]);
const run = (overrides) =>
  new Promise((resolve, reject) => autocannon({ ...options, ...overrides }, (error, result) => (error ? reject(error) : resolve(result))));

(async () => {
  if (warmup > 0) await run({ duration: warmup });
  const result = await run({});
  process.stdout.write(`${JSON.stringify(result)}\n`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
