import type { ServingDeps } from '../deps.js';
import { compileChecker } from '../plugins/validation.js';
import { documentedInvocations } from '../schemas/documented.js';
import { invocationsBody, InvocationsResponse } from '../schemas/invocations.js';
import { CustomerRecord } from '../schemas/record.js';
import { frameRows } from '../scoring/frames.js';
import { scoreItems, type ScoreItem } from '../scoring/score.js';
import { arrivedAt, ERROR_RESPONSES, headerCustomerKey, SECURED, type ServingApp } from './common.js';

const checkRecord = compileChecker(CustomerRecord);

/** MLflow's scoring endpoint, so MLflow clients (and the workshop's payload) work unchanged. */
export async function invocationsRoute(app: ServingApp, deps: ServingDeps): Promise<void> {
  // Only this route reads CSV; elsewhere text/csv stays a 415.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post(
    '/invocations',
    {
      config: { auth: true },
      schema: {
        summary: 'MLflow scoring protocol',
        description:
          'dataframe_split, dataframe_records, instances or inputs as JSON, or text/csv with a header. ' +
          'Answers `{"predictions": [probabilities]}` like `mlflow models serve`, plus `prediction_ids`.',
        tags: ['scoring'],
        security: SECURED,
        body: invocationsBody(deps.config.maxBatch),
        documentedBody: documentedInvocations(deps.config.maxBatch),
        response: { 200: InvocationsResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const started = arrivedAt(reply);
      const { rows, where } = frameRows(request.body, deps.config.maxBatch);
      const customerKey = headerCustomerKey(request);
      const items: ScoreItem[] = rows.map((row, i) => {
        const error = checkRecord(row, where(i));
        if (error) throw error;
        return { record: row as CustomerRecord, customerKey, field: where(i) };
      });
      const { predictions, championVersion } = await scoreItems(deps, items, '/invocations', started);
      void reply.header('x-bankops-model-version', championVersion);
      return {
        predictions: predictions.map((p) => p.probability),
        prediction_ids: predictions.map((p) => p.predictionId),
        model_version: championVersion,
      };
    },
  );
}
