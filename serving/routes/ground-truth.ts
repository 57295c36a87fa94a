import type { ServingDeps } from '../deps.js';
import { groundTruthBody, GroundTruthResponse } from '../schemas/ground-truth.js';
import { ERROR_RESPONSES, SECURED, type ServingApp } from './common.js';

export function groundTruthRoute(app: ServingApp, deps: ServingDeps): void {
  app.post(
    '/v1/ground-truth',
    {
      config: { auth: true },
      schema: {
        summary: 'Report the outcome of earlier predictions',
        description: 'Published to the ground-truth topic (acks=all) before the response.',
        tags: ['feedback'],
        security: SECURED,
        body: groundTruthBody(deps.config.maxBatch),
        response: { 200: GroundTruthResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const labels = 'labels' in request.body ? request.body.labels : [request.body];
      const now = Date.now();
      await deps.events.publishGroundTruth(
        labels.map((label) => ({
          prediction_id: label.predictionId,
          event_time: now,
          outcome: label.outcome,
          source: 'api',
        })),
      );
      return { accepted: labels.length };
    },
  );
}
