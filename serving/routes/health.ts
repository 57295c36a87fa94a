import type { ServingDeps } from '../deps.js';
import type { ServingApp } from './common.js';
import { HealthResponse, ReadyResponse } from '../schemas/model.js';

export function healthRoutes(app: ServingApp, deps: ServingDeps): void {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['operations'],
        response: { 200: HealthResponse },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: a model is loaded and prediction events can be published',
        tags: ['operations'],
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    async (_request, reply) => {
      const reasons = readiness(deps);
      const champion = deps.models.current('champion');
      const ready = reasons.length === 0;
      return reply.code(ready ? 200 : 503).send({
        ready,
        reasons,
        modelVersion: champion?.version.version ?? null,
        events: deps.events.predictionEvents ? 'on' : 'off',
        lastLoadError: deps.models.lastLoadError,
      });
    },
  );
}

/** Why the server is not ready to answer predictions (none: ready): no model yet, or Kafka unreachable. */
export function readiness(deps: ServingDeps): string[] {
  const reasons: string[] = [];
  const lastLoadError = deps.models.lastLoadError;
  if (deps.models.current('champion') === undefined) {
    reasons.push(
      lastLoadError
        ? `no model loaded: v${lastLoadError.version ?? '?'} failed: ${lastLoadError.message}`
        : deps.models.lastPollError
          ? `no model loaded: ${deps.models.lastPollError}`
          : 'no model loaded yet',
    );
  }
  const problem = deps.events.problem;
  if (deps.events.predictionEvents && problem !== null) reasons.push(problem);
  return reasons;
}
