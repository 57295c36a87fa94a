import type { ServingDeps } from '../deps.js';
import { predictBody, PredictResponse } from '../schemas/predict.js';
import { scoreItems, type ScoreItem } from '../scoring/score.js';
import { arrivedAt, ERROR_RESPONSES, headerCustomerKey, SECURED, type ServingApp } from './common.js';

export function predictRoute(app: ServingApp, deps: ServingDeps): void {
  app.post(
    '/v1/predict',
    {
      config: { auth: true },
      schema: {
        summary: 'Score one customer record or a batch',
        description:
          'Each answer is published to the predictions topic before the response is sent. ' +
          'A/B routing is sticky by `customerKey` (field) or the `x-customer-key` header.',
        tags: ['scoring'],
        security: SECURED,
        body: predictBody(deps.config.maxBatch),
        response: { 200: PredictResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const started = arrivedAt(reply);
      const headerKey = headerCustomerKey(request);
      const batch = 'records' in request.body;
      const records = 'records' in request.body ? request.body.records : [request.body];
      const items: ScoreItem[] = records.map(({ customerKey, ...record }, i) => ({
        record,
        customerKey: customerKey ?? headerKey,
        field: batch ? `records[${i}]` : '',
      }));
      const { predictions } = await scoreItems(deps, items, '/v1/predict', started);
      return { predictions };
    },
  );
}
