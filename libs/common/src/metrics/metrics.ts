import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric of every process, defined once here and registered on one registry per process
 * (this module is loaded once per process). Labels take values from closed sets only — subject
 * names, route patterns, error codes, step names — never an id, a URL or user input, so the
 * number of series stays bounded.
 */
export const metricsRegistry = new Registry();

/** Seconds: commands take milliseconds, a bootstrap up to BOOTSTRAP_TIMEOUT_MS (10 s by default). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const started = Date.now();

export const metrics = {
  uptime: new Gauge({
    name: 'process_uptime_seconds',
    help: 'Seconds since the process started',
    registers: [metricsRegistry],
    collect() {
      this.set((Date.now() - started) / 1000);
    },
  }),
  busMessages: new Counter({
    name: 'bus_messages_handled_total',
    help: 'Bus messages handled, by subject and outcome (ok|error) and, for an error, its code',
    labelNames: ['subject', 'outcome', 'code'] as const,
    registers: [metricsRegistry],
  }),
  busMessagesDropped: new Counter({
    name: 'bus_messages_dropped_total',
    help: 'Messages on a command subject that were not a command (no reply subject, not JSON, not a request, too large…), dropped unhandled, by subject and reason',
    labelNames: ['subject', 'reason'] as const,
    registers: [metricsRegistry],
  }),
  busMessageDuration: new Histogram({
    name: 'bus_message_duration_seconds',
    help: 'Time to handle a bus message, by subject and outcome',
    labelNames: ['subject', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metricsRegistry],
  }),
  busRequestDuration: new Histogram({
    name: 'bus_request_duration_seconds',
    help: 'Latency of bus requests sent (BusClient.send), by subject and outcome (ok|error)',
    labelNames: ['subject', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metricsRegistry],
  }),
  busRequestErrors: new Counter({
    name: 'bus_request_errors_total',
    help: 'Bus requests sent that failed, by subject and kind: timeout, unavailable, the remote error code, or internal',
    labelNames: ['subject', 'kind'] as const,
    registers: [metricsRegistry],
  }),
  httpRequests: new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [metricsRegistry],
  }),
  httpRequestDuration: new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metricsRegistry],
  }),
  passwordChecksRefused: new Counter({
    name: 'password_checks_refused_total',
    help: 'Unauthenticated password checks (login, re-claim) refused at once because the service was checking as many as it takes (429)',
    registers: [metricsRegistry],
  }),
  bootstraps: new Counter({
    name: 'bootstrap_outcomes_total',
    help: 'Bootstrap commands by outcome: completed, reclaimed, already_initialized, in_progress, refused (a participant said no; rolled back), failed',
    labelNames: ['outcome'] as const,
    registers: [metricsRegistry],
  }),
  bootstrapDuration: new Histogram({
    name: 'bootstrap_duration_seconds',
    help: 'Time to answer a bootstrap command, by outcome',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metricsRegistry],
  }),
  sagaStepDuration: new Histogram({
    name: 'saga_step_duration_seconds',
    help: 'Time of one saga step, by saga type, step and outcome (ok|error)',
    labelNames: ['saga', 'step', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metricsRegistry],
  }),
};

let defaultsOn = false;

/**
 * Names the process on every series and adds Node's process metrics (CPU, memory, event loop
 * lag, GC). Called once at start; a second call changes nothing, since prom-client refuses to
 * register the default metrics twice.
 */
export function initMetrics(service: string): void {
  metricsRegistry.setDefaultLabels({ service });
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** The Prometheus text exposition of this process's registry. */
export function metricsText(): Promise<string> {
  return metricsRegistry.metrics();
}

export const METRICS_CONTENT_TYPE = metricsRegistry.contentType;
