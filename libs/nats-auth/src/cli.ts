import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderPermissionsConf } from './permissions';
import { ClusterOptions, clusterNodeFile, DEFAULT_ROUTE_PORT, generateNatsConfig, writeNatsConfig } from './server-config';

/** The cluster name of `--cluster`; the compose cluster profile's nodes are generated with it. */
export const CLUSTER_NAME = 'bootstrap';

/** `nats-1,nats-2:7222` → the nodes, each named after its host. Undefined when a host is malformed. */
export function parseClusterNodes(value: string): ClusterOptions | undefined {
  const nodes = value.split(',').map((entry) => {
    const match = /^([A-Za-z0-9][\w-]*)(?::(\d{1,5}))?$/.exec(entry.trim());
    return match === null ? undefined : { name: match[1], host: match[1], port: match[2] === undefined ? DEFAULT_ROUTE_PORT : Number(match[2]) };
  });
  if (nodes.length < 2 || nodes.some((node) => node === undefined || node.port < 1 || node.port > 65535)) return undefined;
  if (new Set(nodes.map((node) => node!.name)).size !== nodes.length) return undefined;
  return { name: CLUSTER_NAME, nodes: nodes as ClusterOptions['nodes'] };
}

const USAGE = `Usage:
  npm run nats:config -- --out DIR
      writes DIR/nats-server.conf, DIR/permissions.conf and, for every NATS user,
      DIR/<user>.env (NATS_USER, NATS_PASSWORD, NATS_INBOX_PREFIX) and DIR/<user>.password,
      with fresh random passwords; every file 0600. Then:
      nats-server -c DIR/nats-server.conf -p PORT -sd STORE_DIR
  npm run nats:config -- --out DIR --cluster HOST[:ROUTE_PORT],HOST[:ROUTE_PORT],...
      the same, plus DIR/cluster-<HOST>.conf for each node of a NATS cluster named
      "${CLUSTER_NAME}": its server_name (HOST) and authenticated routes to the other nodes
      (route port ${DEFAULT_ROUTE_PORT} unless given). Each node then runs
      nats-server -c DIR/cluster-<HOST>.conf -p PORT -sd ITS_OWN_STORE_DIR
  npm run nats:config -- --permissions FILE
      writes only the permissions generated from libs/contracts (deploy/nats/permissions.conf)
`;

/** The command line of apps/nats-config. Resolves to the exit code; prints no secret. */
export async function runNatsConfigCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let values: { out?: string; permissions?: string; cluster?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, permissions: { type: 'string' }, cluster: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  const cluster = values.cluster === undefined ? undefined : parseClusterNodes(values.cluster);
  if (values.cluster !== undefined && (cluster === undefined || values.out === undefined)) {
    process.stderr.write(`--cluster needs --out and two or more distinct hosts, e.g. nats-1,nats-2,nats-3\n${USAGE}`);
    return 64;
  }
  if (values.permissions !== undefined) {
    writeFileSync(resolve(values.permissions), renderPermissionsConf());
    out(`Wrote ${values.permissions}`);
  }
  if (values.out !== undefined) {
    const written = writeNatsConfig(resolve(values.out), await generateNatsConfig({ cluster }));
    const nodes = cluster === undefined ? '' : `, ${cluster.nodes.map((node) => clusterNodeFile(node.name)).join(', ')}`;
    out(`Wrote ${written.length} files to ${values.out} (mode 0600): nats-server.conf, permissions.conf, <user>.env and <user>.password${nodes}`);
  }
  return 0;
}
