'use strict';
// npm run compose:secrets [-- --out DIR]: writes the Docker secrets docker-compose.yml reads
// into DIR (default deploy/secrets), random where random will do. It never overwrites a file:
// run it again after deleting one to replace it. The NATS passwords come from
// `npm run nats:config` instead.
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const { chmodSync, existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = join(__dirname, '..');

/** The services with a database, each as its own Postgres role named after it (user-service → user_service). */
const DB_SERVICES = ['user-service', 'organization-service', 'identity-service', 'saga-orchestrator'];

// base64url: nothing to escape in a URL, and far above libs/config's entropy floors.
const random = (bytes) => randomBytes(bytes).toString('base64url');

/** Every secret file by name, for the files of `dir` that are missing. */
function missingSecrets(dir) {
  const has = (name) => existsSync(join(dir, name));
  const files = {
    'postgres-password': random(24),
    'auth-secret': random(48),
    'bootstrap-reclaim-secret': random(48),
    // The first admin's password, for the compose bootstrap job (INFISICAL_ADMIN_PASSWORD_FILE).
    'infisical-admin-password': random(24),
    // Empty: bootstrap needs no X-Bootstrap-Key (the compose bootstrap job sends none). Put a
    // key here (`openssl rand -base64 24`) to require it.
    'bootstrap-key': '',
  };
  const pair = (first, second) => {
    if (has(first) !== has(second)) {
      throw new Error(`${join(dir, has(first) ? second : first)} is missing but its pair exists: delete both to make a new pair`);
    }
  };
  // The Ed25519 pair principals are signed with (PEM, as openssl writes it).
  pair('principal-signing-key', 'principal-public-key');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  files['principal-signing-key'] = privateKey.export({ format: 'pem', type: 'pkcs8' }).trim();
  files['principal-public-key'] = publicKey.export({ format: 'pem', type: 'spki' }).trim();
  for (const service of DB_SERVICES) {
    const [passwordFile, uriFile] = [`${service}-db-password`, `${service}-db-uri`];
    pair(passwordFile, uriFile);
    const password = random(24);
    files[passwordFile] = password;
    files[uriFile] = `postgres://${service.replace(/-/g, '_')}:${password}@postgres:5432/postgres`;
  }
  return Object.fromEntries(Object.entries(files).filter(([name]) => !has(name)));
}

/**
 * Writes the missing secrets into `dir`; answers their names. The directory is the owner's alone
 * (0700); the files are readable by anyone who can reach them (0644), because compose bind-mounts
 * them as they are and the containers' users (node, postgres) are not their owner.
 */
function writeComposeSecrets(dir) {
  // A directory that already exists keeps its mode: it may be the operator's own choice.
  if (mkdirSync(dir, { recursive: true }) !== undefined) chmodSync(dir, 0o700);
  const files = missingSecrets(dir);
  for (const [name, value] of Object.entries(files)) {
    writeFileSync(join(dir, name), value === '' ? '' : `${value}\n`, { mode: 0o644, flag: 'wx' });
  }
  return Object.keys(files);
}

function main() {
  const at = process.argv.indexOf('--out');
  const dir = resolve(root, at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : join('deploy', 'secrets'));
  const written = writeComposeSecrets(dir);
  console.log(written.length === 0 ? `${dir}: every secret is already there` : `${dir}: wrote ${written.join(', ')}`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

module.exports = { writeComposeSecrets, DB_SERVICES };
