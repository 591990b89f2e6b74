/*
 * npm run bench: figures, not assertions. Starts its own stacks the way the end-to-end tests do
 * (libs/testing TestStack: own nats-server with generated permissions, a fresh database, every
 * app its own built process), measures, prints a table and one JSON line per figure, and writes
 * bench/results.json. Exits 0 unless it could not run. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiClient, bootstrap, freePort, REPO_ROOT, SEED_REQUEST, TestStack, waitFor } from '@app/testing';
import { measureBootstrapFloor } from './floor/bootstrap-floor';
import { rssMb } from './lib/proc';
import { parseServerTiming, round, summarize } from './lib/stats';

interface Options {
  stacks: number;
  duration: number;
  connections: number;
  storm: number;
  floorIterations: number;
  out: string;
  /** NODE_OPTIONS for every app of the stacks (e.g. "--max-semi-space-size=2"); none by default. */
  nodeOptions?: string;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const n = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
    return n;
  };
  const outIndex = argv.indexOf('--out');
  const nodeOptionsIndex = argv.indexOf('--node-options');
  return {
    stacks: value('stacks', quick ? 3 : 15),
    duration: value('duration', quick ? 2 : 5),
    connections: value('connections', 10),
    storm: value('storm', 200),
    floorIterations: value('floor-iterations', quick ? 10 : 30),
    out: outIndex >= 0 ? argv[outIndex + 1] : join(REPO_ROOT, 'bench', 'results.json'),
    nodeOptions: nodeOptionsIndex >= 0 ? argv[nodeOptionsIndex + 1] : undefined,
  };
}

/** The environment of every bench stack on top of TestStack's: production's log level (TestStack logs at debug). */
const STACK_ENV: Record<string, string> = { LOG_LEVEL: 'info' };
const stackOptions = { name: 'bench', env: STACK_ENV, healthPollMs: 5 };

// Every stack this run started and has not stopped: stopped (processes killed, bench_* database
// dropped) on Ctrl-C too.
const active = new Set<TestStack>();
async function startStack(): Promise<TestStack> {
  const stack = await TestStack.start(stackOptions);
  active.add(stack);
  return stack;
}
async function stopStack(stack: TestStack): Promise<void> {
  active.delete(stack);
  await stack.stop();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`[bench] ${signal}: stopping ${active.size} stack(s)\n`);
    void Promise.allSettled([...active].map((s) => s.stop())).then(() => process.exit(130));
  });
}

const loadavgAtStart = loadavg().map((l) => round(l, 2));
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---- figures ---------------------------------------------------------------------------------

interface Figure {
  figure: string;
  value: number;
  unit: string;
  /** The same figure for the floor (the work alone, in one process), measured in the same run. */
  floor?: number;
  target?: string;
  pass?: boolean;
  detail?: Record<string, unknown>;
}
const figures: Figure[] = [];
function record(figure: Figure): void {
  const digits = figure.unit === 'req/s' ? 0 : 2;
  figures.push({ ...figure, value: round(figure.value, digits), ...(figure.floor === undefined ? {} : { floor: round(figure.floor, digits) }) });
}

// ---- load generator --------------------------------------------------------------------------

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** autocannon as its own process pinned to core 1 (bench/load-runner.js), warm-up then measured run. */
function load(opts: Options, url: string, method: 'GET' | 'POST', headers: Record<string, string>, body?: unknown): Promise<LoadResult> {
  const settings = {
    url,
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    connections: opts.connections,
    duration: opts.duration,
    warmup: 1,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '1', process.execPath, join(REPO_ROOT, 'bench', 'load-runner.js'), JSON.stringify(settings)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}: ${err.slice(-2000)}`));
      const r = JSON.parse(out.trim().split('\n').pop() as string);
      const statusCodes: Record<string, number> = {};
      for (const [code, stat] of Object.entries<any>(r.statusCodeStats ?? {})) statusCodes[code] = stat.count;
      resolve({
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        total: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        statusCodes,
      });
    });
  });
}

// ---- the stacks ------------------------------------------------------------------------------

interface FreshRun {
  coldStartMs: number;
  bootstrapMs: number;
  status: number;
  timings: Record<string, number>;
  idleRss: Record<string, number>;
  token?: string;
}

function rssOf(stack: TestStack): Record<string, number> {
  return Object.fromEntries(stack.processes.map((p) => [p.app, round(rssMb(p.pid), 1)]));
}

async function freshStackRun(stack: TestStack): Promise<FreshRun> {
  const coldStartMs = (stack.healthyAt as number) - (stack.launchedAt as number);
  const idleRss = rssOf(stack);
  const t0 = performance.now();
  const result = await bootstrap(stack.gatewayUrl);
  const bootstrapMs = performance.now() - t0;
  const token: string | undefined = result.body?.identity?.credentials?.token;
  return { coldStartMs, bootstrapMs, status: result.status, timings: parseServerTiming(result.headers.get('server-timing')), idleRss, token };
}

async function startFloorServer(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bench', 'register.js'), join(REPO_ROOT, 'bench', 'floor', 'server.ts')], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  await waitFor('the floor server', async () => (output.includes('floor ready') ? true : child.exitCode !== null ? Promise.reject(new Error(output)) : undefined), {
    timeoutMs: 20_000,
    intervalMs: 20,
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

function ratioFigure(name: string, real: LoadResult, floor: LoadResult, min: number): void {
  const ratio = real.rps / floor.rps;
  const clean = real.non2xx === 0 && real.errors === 0;
  record({
    figure: `${name}.rps`,
    value: real.rps,
    floor: floor.rps,
    unit: 'req/s',
    detail: { total: real.total, non2xx: real.non2xx, errors: real.errors, statusCodes: real.statusCodes, floor: { total: floor.total, non2xx: floor.non2xx, errors: floor.errors } },
  });
  record({ figure: `${name}.p50`, value: real.p50, floor: floor.p50, unit: 'ms' });
  record({ figure: `${name}.p99`, value: real.p99, floor: floor.p99, unit: 'ms' });
  record({ figure: `${name}.vs_floor`, value: ratio, unit: '×', target: `≥ ${min} × floor`, pass: ratio >= min && clean, detail: clean ? undefined : { note: 'real run had non-2xx answers or errors' } });
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.nodeOptions !== undefined) STACK_ENV.NODE_OPTIONS = opts.nodeOptions;
  log(`options: ${JSON.stringify(opts)}`);
  const started = performance.now();

  // 1. Fresh stacks: cold start, idle RSS, the first bootstrap and its Server-Timing.
  const runs: FreshRun[] = [];
  let kept: TestStack | undefined;
  for (let i = 0; i < opts.stacks; i += 1) {
    const stack = await startStack();
    try {
      const run = await freshStackRun(stack);
      runs.push(run);
      log(`stack ${i + 1}/${opts.stacks}: cold start ${run.coldStartMs.toFixed(0)} ms, bootstrap ${run.status} in ${run.bootstrapMs.toFixed(1)} ms`);
      if (run.status !== 200) throw new Error(`first bootstrap answered ${run.status}`);
      // The last one stays up for the load runs.
      if (i === opts.stacks - 1) kept = stack;
    } finally {
      if (kept !== stack) await stopStack(stack);
    }
  }
  const stack = kept as TestStack;
  const boot = summarize(runs.map((r) => r.bootstrapMs));
  const steps = [...new Set(runs.flatMap((r) => Object.keys(r.timings)))];
  const stepSummary = Object.fromEntries(steps.map((s) => [s, summarize(runs.map((r) => r.timings[s]).filter((v) => v !== undefined))]));

  try {
    // 2. Authenticated throughput and refusals, against the last fresh stack, now bootstrapped.
    // The machine identity's token from the first bootstrap.
    const tokenValue = runs[runs.length - 1].token as string;
    const api = new ApiClient(stack.gatewayUrl, tokenValue);
    for (let i = 0; i < 3; i += 1) {
      const created = await api.post('/api/v1/projects', { projectName: `seeded ${i}` });
      if (created.status !== 200) throw new Error(`could not create a project: ${created.status} ${JSON.stringify(created.body)}`);
    }
    const refusal = await fetch(`${stack.gatewayUrl}/api/v1/admin/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SEED_REQUEST),
    });
    const refusalBody = await refusal.text();
    log(`refusal after initialization: ${refusal.status} ${refusalBody}`);
    const floor = await startFloorServer({ DB_CONNECTION_URI: stack.db.url, AUTH_SECRET: stack.authSecret, REFUSAL_BODY: refusalBody });
    try {
      const auth = { authorization: `Bearer ${tokenValue}` };
      const json = { ...auth, 'content-type': 'application/json' };
      const get = `/api/v1/projects`;
      const realGet = await load(opts, stack.gatewayUrl + get, 'GET', auth);
      const floorGet = await load(opts, floor.url + get, 'GET', auth);
      log(`GET: ${realGet.rps.toFixed(0)} req/s vs floor ${floorGet.rps.toFixed(0)}`);
      const body = { projectName: 'bench project' };
      const realPost = await load(opts, stack.gatewayUrl + get, 'POST', json, body);
      const floorPost = await load(opts, floor.url + get, 'POST', json, body);
      log(`POST: ${realPost.rps.toFixed(0)} req/s vs floor ${floorPost.rps.toFixed(0)}`);
      const refuse = '/api/v1/admin/bootstrap';
      const realRefuse = await load(opts, stack.gatewayUrl + refuse, 'POST', { 'content-type': 'application/json' }, SEED_REQUEST);
      const floorRefuse = await load(opts, floor.url + refuse, 'POST', { 'content-type': 'application/json' }, SEED_REQUEST);
      log(`refusals: ${realRefuse.rps.toFixed(0)} req/s vs floor ${floorRefuse.rps.toFixed(0)}`);
      const loadedRss = { ...rssOf(stack), floor: round(rssMb(floor.pid), 1) };

      // 3. The bootstrap floor: on this stack's database, its processes stopped.
      await Promise.all(stack.processes.map((p) => p.dispose()));
      const floorRun = await measureBootstrapFloor(stack.db.url, opts.floorIterations);
      const floorTotal = summarize(floorRun.totalMs);
      const floorHash = summarize(floorRun.hashMs);
      const floorTx = summarize(floorRun.transactionMs);
      record({ figure: 'bootstrap.first.p50', value: boot.p50, floor: floorTotal.p50, unit: 'ms', detail: { n: boot.n, floorN: floorTotal.n } });
      record({ figure: 'bootstrap.first.p90', value: boot.p90, floor: floorTotal.p90, unit: 'ms' });
      record({ figure: 'bootstrap.first.max', value: boot.max, floor: floorTotal.max, unit: 'ms' });
      const overhead = boot.p50 - floorTotal.p50;
      record({ figure: 'bootstrap.overhead.p50', value: overhead, unit: 'ms', target: '≤ 5 ms', pass: overhead <= 5 });
      record({ figure: 'bootstrap.floor.hash.p50', value: floorHash.p50, unit: 'ms', detail: { p90: round(floorHash.p90, 2), max: round(floorHash.max, 2) } });
      record({ figure: 'bootstrap.floor.transaction.p50', value: floorTx.p50, unit: 'ms', detail: { p90: round(floorTx.p90, 2), max: round(floorTx.max, 2) } });
      for (const s of steps) {
        record({ figure: `bootstrap.server_timing.${s}.p50`, value: stepSummary[s].p50, unit: 'ms', detail: { p90: round(stepSummary[s].p90, 2), max: round(stepSummary[s].max, 2) } });
      }
      // Where the rest goes: in the saga but between its steps, and outside the saga (HTTP, gateway, client).
      const between = runs.map((r) => r.timings.total - steps.filter((s) => s !== 'total').reduce((sum, s) => sum + (r.timings[s] ?? 0), 0));
      const outside = runs.map((r) => r.bootstrapMs - r.timings.total);
      record({ figure: 'bootstrap.server_timing.between_steps.p50', value: summarize(between).p50, unit: 'ms', detail: { note: 'total − sum of the steps' } });
      record({ figure: 'bootstrap.outside_saga.p50', value: summarize(outside).p50, unit: 'ms', detail: { note: 'client-measured latency − Server-Timing total' } });

      ratioFigure('projects.get', realGet, floorGet, 0.6);
      ratioFigure('projects.post', realPost, floorPost, 0.5);
      const refusedOk = realRefuse.statusCodes['400'] === realRefuse.total;
      record({ figure: 'refusal.rps', value: realRefuse.rps, floor: floorRefuse.rps, unit: 'req/s', detail: { statusCodes: realRefuse.statusCodes, errors: realRefuse.errors } });
      record({ figure: 'refusal.p99', value: realRefuse.p99, floor: floorRefuse.p99, unit: 'ms' });
      const refuseRatio = realRefuse.rps / floorRefuse.rps;
      record({ figure: 'refusal.vs_floor', value: refuseRatio, unit: '×', target: '≥ 0.3 × floor', pass: refuseRatio >= 0.3 && refusedOk, detail: { allWere400: refusedOk, body: refusalBody } });

      const cold = summarize(runs.map((r) => r.coldStartMs));
      record({ figure: 'cold_start.p50', value: cold.p50, unit: 'ms', target: '≤ 1500 ms', pass: cold.p50 <= 1500, detail: { p90: round(cold.p90), max: round(cold.max), n: cold.n } });
      for (const p of stack.processes) {
        const idle = summarize(runs.map((r) => r.idleRss[p.app]));
        record({ figure: `rss.idle.${p.app}`, value: idle.p50, unit: 'MB', target: '≤ 80 MB', pass: idle.max <= 80, detail: { max: round(idle.max), n: idle.n } });
      }
      for (const [app, mb] of Object.entries(loadedRss)) record({ figure: `rss.after_load.${app}`, value: mb, unit: 'MB' });
    } finally {
      await floor.stop();
    }
  } finally {
    await stopStack(stack);
  }

  // 4. The storm: many concurrent first bootstraps on a fresh stack.
  const stormStack = await startStack();
  try {
    const statuses: Record<string, number> = {};
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.storm }, () =>
        bootstrap(stormStack.gatewayUrl).then(
          (r) => void (statuses[r.status] = (statuses[r.status] ?? 0) + 1),
          () => void (statuses.error = (statuses.error ?? 0) + 1),
        ),
      ),
    );
    const stormMs = performance.now() - t0;
    const fivexx = Object.entries(statuses).filter(([s]) => s.startsWith('5') || s === 'error').reduce((n, [, c]) => n + c, 0);
    const pass = stormMs <= 500 && statuses['200'] === 1 && fivexx === 0;
    record({ figure: 'storm.all_answered', value: stormMs, unit: 'ms', target: '≤ 500 ms, one 200, no 5xx', pass, detail: { concurrent: opts.storm, statuses } });
    log(`storm: ${stormMs.toFixed(0)} ms ${JSON.stringify(statuses)}`);
  } finally {
    await stopStack(stormStack);
  }

  report(opts, performance.now() - started);
}

function machine() {
  // The load average says how busy the (shared) machine was: the figures are only as good as that.
  return { nproc: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavgAtStart, loadavgAtEnd: loadavg().map((l) => round(l, 2)) };
}

function report(opts: Options, elapsedMs: number): void {
  const header = ['figure', 'value', 'floor', 'target', ''];
  const rows = figures.map((f) => [
    f.figure,
    `${f.value} ${f.unit}`,
    f.floor === undefined ? '' : `${f.floor} ${f.unit}`,
    f.target ?? '',
    f.pass === undefined ? '' : f.pass ? 'PASS' : 'MISS',
  ]);
  const widths = header.map((h, i) => Math.max(...rows.map((r) => r[i].length), h.length));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const f of figures) console.log(JSON.stringify(f));
  const results = { at: new Date().toISOString(), machine: machine(), options: opts, elapsedS: round(elapsedMs / 1000), figures };
  mkdirSync(join(opts.out, '..'), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${opts.out} (${round(elapsedMs / 1000)} s)`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error('bench could not run:', error);
    process.exit(1);
  },
);
