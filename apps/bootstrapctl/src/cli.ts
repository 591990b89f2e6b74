import { writeFileSync, openSync, fchmodSync, closeSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CliEnv, ConfigError, loadCliEnv, loadCliNatsEnv } from '@app/config';
import { ALREADY_SET_UP, bootstrapWithRetry, CliFailure, DEFAULT_RETRY, instanceStatus, RetryPolicy, waitForGateway } from './http';
import { printEvents } from './events';
import { BootstrapFlags, bootstrapPlan, DEFAULT_K8_SECRET_NAME, DEFAULT_RETRIES, OUTPUTS, parseDomain, parseNatsUrls, parseSeconds, UsageError } from './options';
import { formatOutput } from './output';

/** Exit codes, as --help documents them. */
export const EXIT = { ok: 0, error: 1, usage: 2, notInitialized: 3 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The environment; unset: libs/config reads the process's (the one place that does). */
  env?: Record<string, string | undefined>;
  /** Called by events --follow only: resolves on SIGINT/SIGTERM (other commands keep the default signal handling). */
  stopSignal?: () => Promise<void>;
  retry?: RetryPolicy;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  success (bootstrap: done, or already set up with --ignore-if-bootstrapped; status: initialized)
  1  error: network, server, refused (incl. "already set up" without --ignore-if-bootstrapped)
  2  usage: a bad or missing flag or variable; nothing was sent
  3  status only: the instance is not initialized`;

const BOOTSTRAP_HELP = `
Environment (a flag wins over its variable):
  INFISICAL_DOMAIN or INFISICAL_API_URL          --domain (a trailing /api is dropped)
  INFISICAL_ADMIN_EMAIL                          --email
  INFISICAL_ADMIN_PASSWORD, or
  INFISICAL_ADMIN_PASSWORD_FILE (a file path)    --password (prefer these: flags show in process lists)
  INFISICAL_ADMIN_ORGANIZATION                   --organization
  BOOTSTRAP_KEY or BOOTSTRAP_KEY_FILE            --bootstrap-key (sent as X-Bootstrap-Key)

Every flag is checked before the API is called, so a bad flag never spends the one-shot
bootstrap. A random Idempotency-Key is sent; when the connection fails or times out (or a proxy
answers 502/503/504), the same request is retried with the same key, and the server hands out a
fresh token for it (re-claim), so a lost response does not lose the root credential.
The token is printed only where --output/--out say; the password never.
${EXIT_CODES_HELP}

Examples:
  bootstrapctl bootstrap --domain https://infisical.example.com --email admin@example.com \\
    --organization acme --output env --out ./token.env   # INFISICAL_ADMIN_PASSWORD from the environment
  bootstrapctl bootstrap --ignore-if-bootstrapped --output k8-secret --k8-secret-namespace infisical | kubectl apply -f -`;

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function writeOut(path: string, text: string): void {
  // 0600 also when the file exists already (open's mode applies only to a new file): chmod before writing.
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('bootstrapctl');
  const errorLine = (message: string) => io.stderr(`bootstrapctl: ${message}\n`);
  const cliEnv = (): CliEnv => {
    try {
      return loadCliEnv(io.env);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  };

  program
    .description('Bootstraps an instance (a drop-in for `infisical bootstrap`), checks its state, reads its public events.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

  program
    .command('bootstrap')
    .description('Create the first admin user, organization and instance-admin machine identity; print its token')
    .option('--domain <url>', 'the instance URL, e.g. https://infisical.example.com (no default)')
    .option('--email <email>', "the admin user's email")
    .option('--password <password>', "the admin user's password (prefer INFISICAL_ADMIN_PASSWORD[_FILE])")
    .option('--organization <name>', 'the organization to create')
    .addOption(new Option('--output <format>', `what to print: ${OUTPUTS.join(', ')}`).default('json'))
    .option('--k8-secret-name <name>', `the Secret's name with --output k8-secret (default ${DEFAULT_K8_SECRET_NAME})`)
    .option('--k8-secret-namespace <namespace>', "the Secret's namespace with --output k8-secret (default: none, kubectl's)")
    .option('--out <file>', 'write the output to this file (mode 0600) instead of stdout')
    .option('--ignore-if-bootstrapped', 'exit 0 when the instance is already set up (only then; never on other errors)')
    .option('--wait <seconds>', 'first wait up to this long for the gateway to answer GET /api/status (for compose and init jobs)')
    .option('--retries <count>', `retries with the same Idempotency-Key after a lost connection or a 502/503/504, with backoff 1s, 2s, 4s… (default ${DEFAULT_RETRIES})`)
    .option('--bootstrap-key <key>', "the server's BOOTSTRAP_KEY, sent as X-Bootstrap-Key (prefer BOOTSTRAP_KEY[_FILE])")
    .addHelpText('after', BOOTSTRAP_HELP)
    .action(async (flags: BootstrapFlags) => {
      const plan = bootstrapPlan(flags, cliEnv());
      if (plan.wait !== undefined) await waitForGateway(plan.baseUrl, plan.wait, errorLine);
      const outcome = await bootstrapWithRetry(plan.baseUrl, plan.request, {
        bootstrapKey: plan.bootstrapKey,
        retry: { ...(io.retry ?? DEFAULT_RETRY), attempts: plan.retries + 1 },
        log: errorLine,
      });
      if (outcome.kind === 'already-set-up') {
        if (plan.ignoreIfBootstrapped) {
          errorLine(`${ALREADY_SET_UP}: nothing to do (--ignore-if-bootstrapped)`);
          throw new Exit(EXIT.ok);
        }
        throw new CliFailure(`${ALREADY_SET_UP} (use --ignore-if-bootstrapped to treat this as success)`);
      }
      const text = formatOutput(outcome.response, plan);
      if (plan.out === undefined) {
        io.stdout(text);
        return;
      }
      try {
        writeOut(plan.out, text);
      } catch (error) {
        throw new CliFailure(
          `the instance is bootstrapped but ${plan.out} could not be written (${error instanceof Error ? error.message : String(error)}); ` +
            'the token was not printed',
        );
      }
      errorLine(`instance bootstrapped; ${plan.output} output written to ${plan.out}`);
    });

  program
    .command('status')
    .description('Print whether the instance is initialized (GET /api/v1/admin/config)')
    .option('--domain <url>', 'the instance URL (or INFISICAL_DOMAIN / INFISICAL_API_URL; no default)')
    .option('--wait <seconds>', 'first wait up to this long for the gateway to answer GET /api/status')
    .addHelpText(
      'after',
      `\nPrints "initialized" or "not initialized" on stdout.\n${EXIT_CODES_HELP}\n\nExample (a compose or init container waiting for the gateway):\n  bootstrapctl status --domain http://api-gateway:8080 --wait 120`,
    )
    .action(async (flags: { domain?: string; wait?: string }) => {
      const baseUrl = parseDomain(flags.domain ?? cliEnv().domain);
      const wait = parseSeconds(flags.wait, '--wait');
      if (wait !== undefined) await waitForGateway(baseUrl, wait, errorLine);
      const { initialized } = await instanceStatus(baseUrl);
      io.stdout(initialized ? 'initialized\n' : 'not initialized\n');
      if (!initialized) throw new Exit(EXIT.notInitialized);
    });

  program
    .command('events')
    .description('Print the public bootstrap events (stream BOOTSTRAP_EVENTS) as JSON lines {subject, ...payload}, from the start')
    .option('--nats <urls>', 'NATS server URL(s), comma-separated (or NATS_URL)')
    .option('--follow', 'keep printing new events until SIGINT/SIGTERM')
    .addHelpText(
      'after',
      `
Credentials from the environment when set (the events-reader user), none otherwise:
  NATS_USER with NATS_PASSWORD or NATS_PASSWORD_FILE, or NATS_CREDS_FILE
  NATS_INBOX_PREFIX (the user's private reply inbox), NATS_TLS_CA_FILE / _CERT_FILE / _KEY_FILE
Without --follow it exits 0 after printing the events the stream holds.
${EXIT_CODES_HELP}`,
    )
    .action(async (flags: { nats?: string; follow?: boolean }) => {
      const servers = parseNatsUrls(flags.nats ?? cliEnv().natsUrl);
      let auth;
      try {
        auth = loadCliNatsEnv(servers, io.env);
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
      await printEvents({ servers, auth, follow: flags.follow === true, write: io.stdout, stopSignal: flags.follow === true ? io.stopSignal?.() : undefined });
    });

  return program;
}

/** Runs the CLI on `args` (without node and the script) and returns the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof Exit) return error.code;
    if (error instanceof CommanderError) {
      // --help and --version exit 0; `bootstrapctl` alone prints help as an error: usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`bootstrapctl: error: ${error.message}\n(run with --help for usage)\n`);
      return EXIT.usage;
    }
    if (error instanceof CliFailure) {
      io.stderr(`bootstrapctl: error: ${error.message}\n`);
      return EXIT.error;
    }
    io.stderr(`bootstrapctl: error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.error;
  }
}
