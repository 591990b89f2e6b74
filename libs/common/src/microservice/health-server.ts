import { createServer, Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { SHUTDOWN_SIGNALS } from '../lifecycle/shutdown';
import { METRICS_CONTENT_TYPE, metricsText } from '../metrics/metrics';

export interface HealthProbe {
  /** Name → healthy? Each probe must answer quickly and never throw. */
  checks: Record<string, () => Promise<boolean>>;
  service: string;
}

/**
 * The optional probe port of every service, the gateway included (HEALTH_PORT): `/health` for
 * container health checks and `/metrics`, this process's prom-client registry in Prometheus text
 * format. A port of its own, never the gateway's public one: metrics are for the operator's
 * scraper, not for the internet. Off by default so replicas share a host freely. It closes on
 * SIGTERM/SIGINT, when the process starts shutting down.
 */
export async function startHealthServer(port: number, probe: HealthProbe): Promise<Server> {
  const server = createServer((request, response) => {
    void (async () => {
      if (request.url === '/health') {
        const entries = await Promise.all(
          Object.entries(probe.checks).map(async ([name, check]) => [name, (await check()) ? 'up' : 'down'] as const),
        );
        const dependencies = Object.fromEntries(entries);
        const healthy = entries.every(([, state]) => state === 'up');
        response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ service: probe.service, status: healthy ? 'ok' : 'down', dependencies }));
        return;
      }
      if (request.url === '/metrics') {
        const text = await metricsText();
        response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
        response.end(text);
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ statusCode: 404, error: 'NotFound', message: 'Not found' }));
    })().catch((error: unknown) => {
      // A probe must never take the process down with an unhandled rejection.
      new Logger('HealthServer').error({ msg: 'Probe failed', err: error });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  // Listening before the service says it is ready, so a probe right after "ready" finds it.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, () => server.close());
  new Logger('HealthServer').log({ msg: 'Health endpoint listening', port });
  return server;
}
