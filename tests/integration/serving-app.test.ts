/**
 * The serving API in-process (`app.inject`) on real dependencies: models from the running MLflow (a model
 * of the test's own, registered from the champion's run), events on Kafka topics of the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { isBankopsError } from '../../src/errors/index.js';
import type { GroundTruth, Prediction } from '../../src/kafka/generated/types.js';
import { createKafka } from '../../src/kafka/client.js';
import { pipelineEvent, publishEvent } from '../../src/kafka/events.js';
import { AvroProducer } from '../../src/kafka/producer.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { logger } from '../../src/logging/index.js';
import { MlflowClient } from '../../src/registry/index.js';
import { buildApp } from '../../serving/app.js';
import { createServingDeps, type RunningDeps } from '../../serving/create.js';
import { EventPublisher } from '../../serving/events/publisher.js';
import { createServingMetrics } from '../../serving/metrics.js';
import { mlflowLoader } from '../../serving/model/loader.js';
import { ModelManager } from '../../serving/model/manager.js';
import {
  API_KEY,
  config,
  customer,
  readTopic,
  servingFixture,
  servingTestConfig,
  workshopPayload,
  type ServingFixture,
} from './helpers/serving.js';
import { waitFor } from './helpers/wait.js';

const log = logger('serving-test');
const auth = { authorization: `Bearer ${API_KEY}` };
const MAX_BATCH = 5;
const BODY_LIMIT = 20_000;

let fixture: ServingFixture;
let deps: RunningDeps;
let app: FastifyInstance;
const cleanups: Array<() => Promise<unknown>> = [];

async function start(overrides: Parameters<typeof servingTestConfig>[1] = {}) {
  const started = await createServingDeps(servingTestConfig(fixture, overrides), log);
  const built = await buildApp(started);
  cleanups.push(async () => {
    await built.close();
    await started.close();
  });
  return { deps: started, app: built };
}

const predict = (target: FastifyInstance, payload: unknown, headers: Record<string, string> = {}) =>
  target.inject({
    method: 'POST',
    url: '/v1/predict',
    headers: { ...auth, ...headers },
    payload: payload as object,
  });

beforeAll(async () => {
  fixture = await servingFixture();
  ({ deps, app } = await start({ maxBatch: MAX_BATCH, bodyLimit: BODY_LIMIT }));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('open routes', () => {
  it('answers health, ready, model, metrics, openapi and docs without a key', async () => {
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, modelVersion: fixture.good[0].version, events: 'on' });
    const model = (await app.inject('/v1/model')).json();
    expect(model).toMatchObject({ name: fixture.modelName, mode: 'champion', lastLoadError: null });
    expect(model.champion.version).toBe(fixture.good[0].version);
    expect(model.champion.aliases).toEqual(['champion']);
    expect(model.champion.training).toHaveProperty('snapshotId');
    expect(model.champion.metrics.rocAuc).toBeGreaterThan(0.5);
    const metrics = await app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain(
      `bankops_serving_model_info{model="${fixture.modelName}",variant="champion",model_version="${fixture.good[0].version}"} 1`,
    );
    expect(metrics.body).toContain('bankops_serving_process_cpu_seconds_total');
    const openapi = (await app.inject('/openapi.json')).json();
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/v1/predict',
        '/invocations',
        '/v1/ground-truth',
        '/v1/explain',
        '/v1/model',
        '/ready',
      ]),
    );
    expect(openapi.paths['/v1/predict'].post.security).toEqual([{ bearer: [] }]);
    expect(
      openapi.paths['/v1/predict'].post.requestBody.content['application/json'].schema.anyOf,
    ).toHaveLength(2);
    // categories declare their values; /invocations documents what JSON Schema can state of each form
    const record = openapi.paths['/v1/explain'].post.requestBody.content['application/json'].schema;
    expect(record.properties.month).toMatchObject({ type: 'string', enum: expect.arrayContaining(['may']) });
    const invocations = openapi.paths['/invocations'].post.requestBody.content;
    expect(invocations['text/csv'].schema.pattern).toMatch(/^\^age,job,/);
    expect(invocations['application/json'].schema.anyOf).toHaveLength(5);
    const docs = await app.inject('/docs');
    expect(docs.headers['content-type']).toContain('text/html');
    expect(docs.body).toContain('/openapi.json');
    expect(docs.body).not.toMatch(/https?:\/\//);
  });
});

describe('auth', () => {
  for (const url of ['/v1/predict', '/invocations', '/v1/ground-truth', '/v1/explain']) {
    it(`${url}: 401 without or with a malformed key, 403 with a wrong one`, async () => {
      const send = (headers: Record<string, string>) =>
        app.inject({ method: 'POST', url, headers, payload: customer() });
      const missing = await send({});
      expect(missing.statusCode).toBe(401);
      expect(missing.json()).toMatchObject({
        error: 'UNAUTHORIZED',
        message: 'missing Authorization header',
      });
      expect((await send({ authorization: 'Basic abc' })).statusCode).toBe(401);
      expect((await send({ authorization: 'Bearer' })).statusCode).toBe(401);
      const wrong = await send({ authorization: 'Bearer not-the-right-key' });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json()).toMatchObject({ error: 'FORBIDDEN' });
    });
  }

  it('refuses to start without keys unless auth is off explicitly', async () => {
    const deps2 = { ...deps, config: { ...deps.config, apiKeyHashes: [] } };
    const error = await buildApp(deps2).catch((e: unknown) => e);
    expect(isBankopsError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as { hint: string }).hint).toContain('BANKOPS_SERVING_AUTH=off');
    const open = await buildApp({ ...deps2, config: { ...deps2.config, auth: 'off' } });
    expect((await predict(open, customer(), { authorization: '' })).statusCode).toBe(200);
    await open.close();
  });
});

describe('scoring', () => {
  it('predicts one record and a batch, publishing every answer before responding', async () => {
    const one = await predict(app, customer());
    expect(one.statusCode).toBe(200);
    const [p] = one.json().predictions;
    expect(p).toMatchObject({ modelVersion: fixture.good[0].version, variant: 'champion' });
    expect(p.probability).toBeGreaterThan(0);
    expect(p.probability).toBeLessThan(1);
    expect(p.decision).toBe(p.probability >= p.threshold);
    const batch = await predict(
      app,
      { records: [customer(), customer({ age: 70, poutcome: 'success' }), customer({ duration: 900 })] },
      { 'x-customer-key': 'c-42' },
    );
    expect(batch.statusCode).toBe(200);
    const ids = [
      p.predictionId,
      ...batch.json().predictions.map((x: { predictionId: string }) => x.predictionId),
    ];
    expect(new Set(ids).size).toBe(4);
    const events = await readTopic<Prediction>(fixture, fixture.topics.predictions);
    const byId = new Map(events.map((e) => [e.prediction_id, e]));
    for (const id of ids) expect(byId.has(id)).toBe(true);
    const event = byId.get(ids[1]) as Prediction;
    expect(event).toMatchObject({
      model_name: fixture.modelName,
      variant: 'champion',
      customer_key: 'c-42',
      route: '/v1/predict',
    });
    expect(JSON.parse(event.features_json)).toEqual(customer());
    expect(event.latency_ms).toBeGreaterThan(0);
  });

  it('answers the workshop payload on /invocations like MLflow, and every other MLflow format', async () => {
    const workshop = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: auth,
      payload: workshopPayload(),
    });
    expect(workshop.statusCode).toBe(200);
    const body = workshop.json();
    expect(body.predictions).toHaveLength(2);
    expect(body.prediction_ids).toHaveLength(2);
    expect(workshop.headers['x-bankops-model-version']).toBe(fixture.good[0].version);
    const record = customer();
    const direct = (await predict(app, record)).json().predictions[0].probability;
    const columns = Object.keys(record);
    const payloads: unknown[] = [
      { dataframe_split: { columns, data: [Object.values(record)] } },
      { dataframe_records: [record] },
      { instances: [record] },
      { inputs: [record] },
      { inputs: Object.fromEntries(columns.map((c) => [c, [record[c]]])) },
    ];
    for (const payload of payloads) {
      const response = await app.inject({
        method: 'POST',
        url: '/invocations',
        headers: auth,
        payload: payload as object,
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(200);
      expect(response.json().predictions[0]).toBeCloseTo(direct, 6);
    }
    const csv = `${columns.join(',')}\n${columns.map((c) => String(record[c])).join(',')}\n`;
    const fromCsv = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(fromCsv.statusCode).toBe(200);
    expect(fromCsv.json().predictions[0]).toBeCloseTo(direct, 6);
  });

  it('publishes ground truth, one label or a batch', async () => {
    const ids = (await predict(app, { records: [customer(), customer()] }))
      .json()
      .predictions.map((p: { predictionId: string }) => p.predictionId);
    const single = await app.inject({
      method: 'POST',
      url: '/v1/ground-truth',
      headers: auth,
      payload: { predictionId: ids[0], outcome: true },
    });
    expect(single.json()).toEqual({ accepted: 1 });
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/ground-truth',
      headers: auth,
      payload: { labels: [{ predictionId: ids[1], outcome: false }] },
    });
    expect(batch.json()).toEqual({ accepted: 1 });
    const labels = await readTopic<GroundTruth>(fixture, fixture.topics.groundTruth);
    expect(labels.map((l) => [l.prediction_id, l.outcome, l.source])).toEqual(
      expect.arrayContaining([
        [ids[0], true, 'api'],
        [ids[1], false, 'api'],
      ]),
    );
  });

  it('explains a score: per raw column SHAP values that add up to the margin', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/explain',
      headers: auth,
      payload: customer(),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const columns = body.contributions.map((c: { feature: string }) => c.feature);
    expect(columns).toHaveLength(15);
    expect(columns).toContain('job');
    expect(columns).not.toContain('duration');
    const sum = body.contributions.reduce(
      (s: number, c: { contribution: number }) => s + c.contribution,
      body.baseValue,
    );
    expect(sum).toBeCloseTo(body.margin, 4);
    expect(1 / (1 + Math.exp(-body.margin))).toBeCloseTo(body.probability, 4);
    expect(body.probability).toBeCloseTo(
      (await predict(app, customer())).json().predictions[0].probability,
      6,
    );
  });
});

describe('bad input is a 4xx naming the problem', () => {
  const expect400 = async (payload: unknown, field: string, reason: RegExp, url = '/v1/predict') => {
    const response = await app.inject({ method: 'POST', url, headers: auth, payload: payload as object });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().field).toBe(field);
    expect(response.json().message).toMatch(reason);
  };

  it('wrong types, missing and extra fields, unknown categories, empty and oversized batches', async () => {
    await expect400(customer({ age: 'forty' }), 'age', /expected integer/);
    await expect400(customer({ age: 41.5 }), 'age', /expected integer/);
    const missing = customer();
    delete missing['balance'];
    await expect400(missing, 'balance', /required field is missing/);
    await expect400(customer({ colour: 'blue' }), 'colour', /unknown field/);
    await expect400(customer({ job: 'astronaut' }), 'job', /unknown category "astronaut"/);
    await expect400(
      { records: [customer(), customer({ month: 'smarch' })] },
      'records[1].month',
      /unknown category/,
    );
    await expect400({ records: [] }, 'records', /length/);
    await expect400(
      { records: Array.from({ length: MAX_BATCH + 1 }, () => customer()) },
      'records',
      /less or equal to 5/,
    );
    await expect400({ records: [customer()], extra: 1 }, 'extra', /unknown field/);
    await expect400(
      { predictionId: 'nope', outcome: true },
      'predictionId',
      /length|format/,
      '/v1/ground-truth',
    );
    await expect400({ labels: [] }, 'labels', /length/, '/v1/ground-truth');
    await expect400(customer({ job: 'astronaut' }), 'job', /unknown category/, '/v1/explain');
    await expect400(
      { dataframe_split: { columns: ['age'], data: [[41]] } },
      'dataframe_split.data[0].job',
      /required/,
      '/invocations',
    );
    await expect400(
      { dataframe_split: { columns: ['age', 'job'], data: [[41]] } },
      'dataframe_split.data[0]',
      /1 values for 2 columns/,
      '/invocations',
    );
    const row = { ...customer(), job: 'astronaut' };
    await expect400(
      { dataframe_records: [row] },
      'dataframe_records[0].job',
      /unknown category/,
      '/invocations',
    );
    await expect400(
      { dataframe_records: [{ ...customer(), y: 'yes' }] },
      'dataframe_records[0].y',
      /unknown field/,
      '/invocations',
    );
    await expect400({ something: [] }, 'something', /unknown field/, '/invocations');
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/bankops_serving_unknown_category_total\{field="job"\} [1-9]/);
  });

  it('malformed JSON 400, too large 413, wrong content type 415, unknown route 404, never a 500', async () => {
    const malformed = await app.inject({
      method: 'POST',
      url: '/v1/predict',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"age": 4',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toMatch(/malformed JSON/);
    const empty = await app.inject({
      method: 'POST',
      url: '/v1/predict',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(400);
    const big = await app.inject({
      method: 'POST',
      url: '/v1/predict',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ records: Array.from({ length: 200 }, () => customer()) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('PAYLOAD_TOO_LARGE');
    for (const type of ['text/plain', 'application/xml', 'text/csv']) {
      const wrong = await app.inject({
        method: 'POST',
        url: '/v1/predict',
        headers: { ...auth, 'content-type': type },
        payload: 'a,b',
      });
      expect(wrong.statusCode, type).toBe(415);
    }
    const csvNoRows = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: 'age,job\n',
    });
    expect(csvNoRows.statusCode).toBe(400);
    const csvTooMany = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: `age\n${'41\n'.repeat(MAX_BATCH + 1)}`,
    });
    expect(csvTooMany.statusCode).toBe(400);
    expect((await app.inject('/nope')).statusCode).toBe(404);
    // a route that exists under other methods: 405 with the methods it answers
    const getPredict = await app.inject({ method: 'GET', url: '/v1/predict' });
    expect(getPredict.statusCode).toBe(405);
    expect(getPredict.headers['allow']).toBe('POST');
    expect(getPredict.json()).toMatchObject({ error: 'METHOD_NOT_ALLOWED' });
    const deleteHealth = await app.inject({ method: 'DELETE', url: '/health' });
    expect(deleteHealth.statusCode).toBe(405);
    expect(String(deleteHealth.headers['allow'])).toMatch(/^GET, HEAD/);
    // a method that carries a body is answered before its content type is looked at
    const queryReady = await app.inject({ method: 'QUERY' as 'GET', url: '/ready' });
    expect(queryReady.statusCode).toBe(405);
    expect(queryReady.headers['allow']).toMatch(/^GET, HEAD/);
    const emptyColumnar = await app.inject({
      method: 'POST',
      url: '/invocations',
      headers: auth,
      payload: { inputs: {} },
    });
    expect(emptyColumnar.statusCode).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/predict',
          headers: auth,
          payload: [1, 2] as unknown as object,
        })
      ).statusCode,
    ).toBe(400);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).not.toMatch(/bankops_serving_http_requests_total\{[^}]*status_code="5\d\d"/);
  });
});

describe('model swaps', () => {
  const emitPromoted = async (version: string) => {
    const producer = new AvroProducer(fixture.kafka, fixture.registry);
    await publishEvent(
      producer,
      pipelineEvent('model.promoted', 'test', { model: fixture.modelName, version }),
      fixture.topics.pipelineEvents,
    );
    await producer.close();
  };
  const served = async () => (await app.inject('/v1/model')).json().champion.version as string;

  it('refuses a broken bundle: the old model keeps answering, /ready and /v1/model say why', async () => {
    await fixture.mlflow.setAlias(fixture.modelName, 'champion', fixture.broken.version);
    await emitPromoted(fixture.broken.version);
    const model = await waitFor(
      async () => (await app.inject('/v1/model')).json(),
      (m) => m.lastLoadError !== null,
      { what: 'the broken version to be refused', timeoutMs: 60_000 },
    );
    expect(model.lastLoadError).toMatchObject({ role: 'champion', version: fixture.broken.version });
    expect(model.lastLoadError.message).toMatch(/feature_spec\.json has hash/);
    expect(model.champion.version).toBe(fixture.good[0].version);
    const ready = (await app.inject('/ready')).json();
    expect(ready.lastLoadError.version).toBe(fixture.broken.version);
    const answer = await predict(app, customer());
    expect(answer.statusCode).toBe(200);
    expect(answer.json().predictions[0].modelVersion).toBe(fixture.good[0].version);
    expect((await app.inject('/metrics')).body).toMatch(
      /bankops_serving_model_load_failures_total\{variant="champion"\} 1/,
    );
    // Polls do not retry the refused version over and over; an explicit reload does.
    await deps.models.refresh();
    expect((await app.inject('/metrics')).body).toMatch(
      /bankops_serving_model_load_failures_total\{variant="champion"\} 1/,
    );
    expect(await deps.models.loadVersion('champion', fixture.broken.version)).toBe(false);
  });

  it('swaps to a promoted version on the model.promoted event', async () => {
    await fixture.mlflow.setAlias(fixture.modelName, 'champion', fixture.good[1].version);
    await emitPromoted(fixture.good[1].version);
    await waitFor(served, (v) => v === fixture.good[1].version, { what: 'the swap', timeoutMs: 60_000 });
    const answer = (await predict(app, customer())).json();
    expect(answer.predictions[0].modelVersion).toBe(fixture.good[1].version);
    const model = (await app.inject('/v1/model')).json();
    expect(model.lastLoadError).toBeNull();
    expect(model.champion.aliases).toEqual(['challenger', 'champion']);
    expect((await app.inject('/metrics')).body).toMatch(
      /bankops_serving_model_swaps_total\{role="champion"\} 2/,
    );
  });

  it('keeps serving the cached model when MLflow is unreachable at a poll', async () => {
    const unreachable = { ...config, urls: { ...config.urls, mlflow: 'http://127.0.0.1:9' } };
    const metrics = createServingMetrics();
    const manager = new ModelManager({
      mlflow: new MlflowClient(unreachable, { retry: { retries: 0 } }),
      modelName: fixture.modelName,
      roles: ['champion'],
      loader: mlflowLoader(fixture.mlflow),
      metrics,
      log,
    });
    expect(await manager.load('champion', fixture.good[0])).toBe(true);
    await manager.refresh();
    expect(manager.lastPollError).toMatch(/127\.0\.0\.1:9|ECONNREFUSED|MLflow/);
    expect(manager.current('champion')?.version.version).toBe(fixture.good[0].version);
    await manager.close();
  });
});

describe('A/B and shadow', () => {
  it('routes a share of customers to the challenger, sticky by customer key', async () => {
    await fixture.mlflow.setAlias(fixture.modelName, 'champion', fixture.good[0].version);
    const ab = (await start({ mode: 'ab', abShare: 0.5 })).app;
    const seen = new Map<string, string>();
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 24; i += 1) {
        const key = `customer-${i}`;
        const viaField = (await predict(ab, { ...customer(), customerKey: key })).json().predictions[0];
        const viaHeader = (await predict(ab, customer(), { 'x-customer-key': key })).json().predictions[0];
        expect(viaHeader.variant).toBe(viaField.variant);
        if (seen.has(key)) expect(viaField.variant).toBe(seen.get(key));
        seen.set(key, viaField.variant);
        const expected =
          viaField.variant === 'challenger' ? fixture.good[1].version : fixture.good[0].version;
        expect(viaField.modelVersion).toBe(expected);
      }
    }
    expect(new Set(seen.values())).toEqual(new Set(['champion', 'challenger']));
  });

  it('shadow mode answers with the champion and logs the challenger as shadow', async () => {
    const shadow = (await start({ mode: 'shadow' })).app;
    const key = `shadow-${fixture.id}`;
    const answer = (await predict(shadow, customer(), { 'x-customer-key': key })).json().predictions;
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatchObject({ variant: 'champion', modelVersion: fixture.good[0].version });
    const events = (await readTopic<Prediction>(fixture, fixture.topics.predictions)).filter(
      (e) => e.customer_key === key,
    );
    expect(events.map((e) => [e.variant, e.model_version]).sort()).toEqual([
      ['champion', fixture.good[0].version],
      ['shadow', fixture.good[1].version],
    ]);
  });
});

describe('events', () => {
  it('fails the request with 503 when Kafka does not acknowledge, and /ready says why', async () => {
    const down = { ...servingTestConfig(fixture), kafka: { brokers: ['127.0.0.1:9'] } };
    const metrics = createServingMetrics();
    const events = new EventPublisher({
      kafka: createKafka(down, 'bankops-test-down'),
      registry: createRegistry(down),
      topics: fixture.topics,
      predictionEvents: true,
      timeoutMs: 1_500,
      metrics,
      log,
    });
    await events.start();
    const models = new ModelManager({
      mlflow: fixture.mlflow,
      modelName: fixture.modelName,
      roles: ['champion'],
      loader: mlflowLoader(fixture.mlflow),
      metrics,
      log,
    });
    await models.refresh();
    const downApp = await buildApp({ config: down.serving, models, events, metrics, log });
    try {
      const answer = await predict(downApp, customer());
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({ error: 'SERVICE_UNAVAILABLE' });
      const ready = await downApp.inject('/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json().reasons.join(' ')).toMatch(/Kafka|acknowledged|publish/);
      expect(ready.json().modelVersion).toBe(fixture.good[0].version);
    } finally {
      await downApp.close();
      await events.close();
      await models.close();
    }
  });

  it('can be switched off (benchmark comparison): answers without events', async () => {
    const quiet = (await start({ events: false })).app;
    const answer = await predict(quiet, customer(), { 'x-customer-key': `quiet-${fixture.id}` });
    expect(answer.statusCode).toBe(200);
    expect((await quiet.inject('/ready')).json()).toMatchObject({ ready: true, events: 'off' });
    const events = await readTopic<Prediction>(fixture, fixture.topics.predictions);
    expect(events.some((e) => e.customer_key === `quiet-${fixture.id}`)).toBe(false);
  });
});
