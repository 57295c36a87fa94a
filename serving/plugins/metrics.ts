import type { FastifyInstance } from 'fastify';
import type { ServingMetrics } from '../metrics.js';

/** Counts and times every request by route template (never the raw URL: bounded label values). */
export function registerHttpMetrics(app: FastifyInstance, metrics: ServingMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
}
