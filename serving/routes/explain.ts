import type { ServingDeps } from '../deps.js';
import { Lease } from '../model/handle.js';
import { ExplainResponse } from '../schemas/explain.js';
import { PredictRecord } from '../schemas/record.js';
import { explainRecord } from '../scoring/explain.js';
import { requireChampion } from '../scoring/score.js';
import { checkForModel } from '../scoring/validate.js';
import { ERROR_RESPONSES, SECURED, type ServingApp } from './common.js';

export function explainRoute(app: ServingApp, deps: ServingDeps): void {
  app.post(
    '/v1/explain',
    {
      config: { auth: true },
      schema: {
        summary: "Explain the champion's score of one record",
        description:
          'Per raw column SHAP contributions in log-odds (one-hot blocks summed), plus the base value: ' +
          'baseValue + Σ contributions = margin. Not a prediction: no event is published.',
        tags: ['scoring'],
        security: SECURED,
        body: PredictRecord,
        response: { 200: ExplainResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      // The routing key is not a feature.
      const record = Object.fromEntries(
        Object.entries(request.body).filter(([key]) => key !== 'customerKey'),
      );
      const lease = new Lease();
      try {
        const champion = requireChampion(deps, lease);
        checkForModel(champion.bundle.spec, record, '', champion.version.version);
        return explainRecord(champion, record);
      } finally {
        lease.release();
      }
    },
  );
}
