import type { ServingDeps } from '../deps.js';
import type { ServingApp } from './common.js';

export function metricsRoute(app: ServingApp, deps: ServingDeps): void {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (prefix bankops_serving_)',
        tags: ['operations'],
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      const body = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(body);
    },
  );
}
