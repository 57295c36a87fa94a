import { Type } from '@sinclair/typebox';
import { BankopsError } from '../../src/errors/index.js';
import type { ServingDeps } from '../deps.js';
import { documentedInfer } from '../schemas/documented.js';
import {
  ModelParams,
  OIP_ERRORS,
  oipInferBody,
  OipInferResponse,
  OipLive,
  OipModelMetadata,
  OipError,
  OipModelReady,
  OipReady,
} from '../schemas/oip.js';
import { INPUT_COLUMNS } from '../schemas/record.js';
import { columnDatatype, oipItems, oipOutputs, outputNames, OUTPUTS } from '../scoring/oip.js';
import { scoreItems } from '../scoring/score.js';
import { arrivedAt, SECURED, type ServingApp } from './common.js';
import { readiness } from './health.js';

const TAGS = ['open inference protocol'];

/** The served model's name, or a 404 in the protocol's words. */
function checkName(deps: ServingDeps, name: string): void {
  if (name !== deps.models.modelName) {
    throw new BankopsError('NOT_FOUND', `model ${JSON.stringify(name)} is not served here`, {
      hint: `This server serves ${deps.models.modelName}.`,
    });
  }
}

/**
 * Open Inference Protocol v2 in its own scope (its hooks stay here) (KServe, Triton, Seldon clients): health, model metadata and readiness, and
 * inference through the same scoring, events and metrics as /v1/predict. Errors are `{"error": "..."}`.
 */
export function oipRoutes(app: ServingApp, deps: ServingDeps): void {
  const oip = { oip: true };
  app.addHook('onRequest', async (request) => {
    if (request.headers['inference-header-content-length'] !== undefined) {
      throw new BankopsError('UNSUPPORTED_MEDIA_TYPE', 'binary tensor data is not supported here', {
        hint: 'Send the tensors as JSON (tritonclient: binary_data=False).',
      });
    }
    // Triton's and KServe's clients send their JSON without a Content-Type.
    if (request.method === 'POST' && request.headers['content-type'] === undefined) {
      request.headers['content-type'] = 'application/json';
    }
  });
  app.get(
    '/v2/health/live',
    { config: oip, schema: { summary: 'OIP: the server is live', tags: TAGS, response: { 200: OipLive } } },
    async () => ({ live: true }),
  );
  app.get(
    '/v2/health/ready',
    {
      config: oip,
      schema: {
        summary: 'OIP: the server is ready (400 when not, as the protocol says; GET /ready tells why)',
        tags: TAGS,
        response: { 200: OipReady, 400: OipReady },
      },
    },
    async (_request, reply) => {
      const ready = readiness(deps).length === 0;
      return reply.code(ready ? 200 : 400).send({ ready });
    },
  );
  app.get(
    '/v2/models/:name',
    {
      config: oip,
      schema: {
        summary: 'OIP: model metadata (one input tensor per column, the outputs)',
        tags: TAGS,
        params: ModelParams,
        response: { 200: OipModelMetadata, ...OIP_ERRORS },
      },
    },
    async (request) => {
      checkName(deps, request.params.name);
      const versions = (['champion', 'challenger'] as const).flatMap((role) => {
        const handle = deps.models.current(role);
        return handle ? [handle.version.version] : [];
      });
      return {
        name: deps.models.modelName,
        versions,
        platform: 'xgboost',
        inputs: INPUT_COLUMNS.map((name) => ({ name, datatype: columnDatatype(name), shape: [-1] })),
        outputs: OUTPUTS.map(({ name, datatype }) => ({ name, datatype, shape: [-1] })),
      };
    },
  );
  app.get(
    '/v2/models/:name/ready',
    {
      config: oip,
      schema: {
        summary: 'OIP: the model is loaded (400 when not)',
        tags: TAGS,
        params: ModelParams,
        // 400 says "not ready" (the protocol's false) or, as on any route, a bad request
        response: { 200: OipModelReady, 400: Type.Union([OipModelReady, OipError]), ...OIP_ERRORS },
      },
    },
    async (request, reply) => {
      checkName(deps, request.params.name);
      const ready = deps.models.current('champion') !== undefined;
      return reply.code(ready ? 200 : 400).send({ name: deps.models.modelName, ready });
    },
  );
  app.post(
    '/v2/models/:name/infer',
    {
      config: { auth: true, oip: true },
      schema: {
        summary: 'OIP: score records sent as named input tensors, one per column',
        description:
          'Inputs: one tensor per column (the model metadata lists them), shape [N] (or [N, 1]), INT64 ' +
          '(any integer type) or BYTES (strings), raw values; an optional BYTES `customerKey` routes A/B ' +
          'traffic. Outputs: probability, decision, threshold, model_version, variant, prediction_id. ' +
          'Each answer is published to the predictions topic before the response.',
        tags: TAGS,
        security: SECURED,
        params: ModelParams,
        body: oipInferBody(deps.config.maxBatch),
        documentedBody: { 'application/json': documentedInfer() },
        response: { 200: OipInferResponse, ...OIP_ERRORS },
      },
    },
    async (request, reply) => {
      const started = arrivedAt(reply);
      checkName(deps, request.params.name);
      const items = oipItems(request.body);
      const names = outputNames(request.body.outputs);
      const { predictions, championVersion } = await scoreItems(
        deps,
        items,
        '/v2/models/:name/infer',
        started,
      );
      return {
        model_name: deps.models.modelName,
        model_version: championVersion,
        id: request.body.id ?? request.id,
        outputs: oipOutputs(predictions, names),
      };
    },
  );
}
