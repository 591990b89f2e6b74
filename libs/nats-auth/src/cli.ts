import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderPermissionsConf } from './permissions';
import { generateNatsConfig, writeNatsConfig } from './server-config';

const USAGE = `Usage:
  npm run nats:config -- --out DIR
      writes DIR/nats-server.conf, DIR/permissions.conf and, for every NATS user,
      DIR/<user>.env (NATS_USER, NATS_PASSWORD, NATS_INBOX_PREFIX) and DIR/<user>.password,
      with fresh random passwords; every file 0600. Then:
      nats-server -c DIR/nats-server.conf -p PORT -sd STORE_DIR
  npm run nats:config -- --permissions FILE
      writes only the permissions generated from libs/contracts (deploy/nats/permissions.conf)
`;

/** The command line of apps/nats-config. Resolves to the exit code; prints no secret. */
export async function runNatsConfigCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let values: { out?: string; permissions?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, permissions: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 64; // EX_USAGE
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (values.out === undefined && values.permissions === undefined) {
    process.stderr.write(USAGE);
    return 64;
  }
  if (values.permissions !== undefined) {
    writeFileSync(resolve(values.permissions), renderPermissionsConf());
    out(`Wrote ${values.permissions}`);
  }
  if (values.out !== undefined) {
    const written = writeNatsConfig(resolve(values.out), await generateNatsConfig());
    out(`Wrote ${written.length} files to ${values.out} (mode 0600): nats-server.conf, permissions.conf, <user>.env and <user>.password`);
  }
  return 0;
}
