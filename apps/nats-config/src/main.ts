import { runNatsConfigCli } from '@app/nats-auth';

// `npm run nats:config -- --out DIR`: the NATS server configuration and a user per service.
// Production tooling, not a service: built with the apps, never started by npm start or compose.
runNatsConfigCli(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`nats:config failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
