import { createServer, Server } from 'node:http';
import { Logger } from '@nestjs/common';

export interface HealthProbe {
  /** Name → healthy? Each probe must answer quickly and never throw. */
  checks: Record<string, () => Promise<boolean>>;
  service: string;
}

/**
 * The optional probe port of a bus service (HEALTH_PORT): `/health` for container health checks
 * and `/metrics` in Prometheus text format. Off by default so replicas share a host freely.
 */
export async function startHealthServer(port: number, probe: HealthProbe): Promise<Server> {
  const started = Date.now();
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
        const memory = process.memoryUsage();
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        response.end(
          [
            '# TYPE process_uptime_seconds gauge',
            `process_uptime_seconds ${((Date.now() - started) / 1000).toFixed(3)}`,
            '# TYPE process_resident_memory_bytes gauge',
            `process_resident_memory_bytes ${memory.rss}`,
            '# TYPE nodejs_heap_used_bytes gauge',
            `nodejs_heap_used_bytes ${memory.heapUsed}`,
            '',
          ].join('\n'),
        );
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ statusCode: 404, error: 'NotFound', message: 'Not found' }));
    })();
  });
  // Listening before the service says it is ready, so a probe right after "ready" finds it.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  new Logger('HealthServer').log({ msg: 'Health endpoint listening', port });
  return server;
}
