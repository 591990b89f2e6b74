import { runCli } from './cli';

// `bootstrapctl` (bin/bootstrapctl.js): a client of the system like any other, over HTTP and NATS.
// A tool, not a service: built with the apps, never started by npm start.
const stopSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stopSignal,
}).then(
  (code) => {
    process.exitCode = code;
    // Signal listeners keep nothing alive, but open handles of a failed connection might.
    if (code !== 0) setTimeout(() => process.exit(code), 2_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`bootstrapctl: error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
