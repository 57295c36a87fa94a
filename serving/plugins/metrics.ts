import type { FastifyInstance } from 'fastify';
import { isBankopsError } from '../../src/errors/index.js';
import type { ServingMetrics } from '../metrics.js';

/** A refused category, by column (`records[3].job` counts as `job`), whichever check refused it. */
function countUnknownCategory(metrics: ServingMetrics, error: unknown): void {
  if (!isBankopsError(error) || error.details?.['reason'] !== 'unknown category') return;
  const field = error.details['field'];
  if (typeof field !== 'string') return;
  metrics.unknownCategories.inc({ field: field.split('.').at(-1) ?? 'unknown' });
}

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
  app.addHook('onError', async (_request, _reply, error) => countUnknownCategory(metrics, error));
}
