/**
 * src/registry against the running MLflow server (BANKOPS_TEST_STACK=mlflow): experiments, nested runs,
 * chunked batches, proxied artifacts, model versions and aliases, and how failures surface.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';
import { BankopsError, isBankopsError } from '../../src/errors/index.js';
import {
  MlflowClient,
  PARENT_RUN_TAG,
  isNotFound,
  planAliasMove,
  planRollback,
  runMetrics,
  runParams,
  runTags,
  type Experiment,
} from '../../src/registry/index.js';

const config = getConfig();
const client = new MlflowClient(config);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function caught(promise: Promise<unknown>): Promise<BankopsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BankopsError) return error;
    throw error;
  }
  throw new Error('expected a BankopsError');
}

describe('MLflow client', () => {
  let experiment: Experiment;

  beforeAll(async () => {
    await client.ping();
    experiment = await client.getOrCreateExperiment(`bankops-test-registry-${randomUUID()}`);
  });

  it('gets or creates an experiment, also when two callers race', async () => {
    expect(await client.health()).toBe(true);
    const name = `bankops-test-race-${randomUUID()}`;
    const [a, b] = await Promise.all([
      client.getOrCreateExperiment(name),
      client.getOrCreateExperiment(name),
    ]);
    expect(a.experiment_id).toBe(b.experiment_id);
    expect((await client.getOrCreateExperiment(name)).experiment_id).toBe(a.experiment_id);
    expect(experiment.artifact_location).toMatch(/^mlflow-artifacts:/);
  });

  it('nests a child run under a parent and finds it by search', async () => {
    const parent = await client.createRun({ experimentId: experiment.experiment_id, runName: 'sweep' });
    const child = await client.createRun({
      experimentId: experiment.experiment_id,
      runName: 'trial-1',
      parentRunId: parent.info.run_id,
      tags: { stage: 'candidate' },
    });
    expect(runTags(child)[PARENT_RUN_TAG]).toBe(parent.info.run_id);
    await client.setTag(child.info.run_id, 'note', 'hello');
    await client.updateRun(child.info.run_id, 'FINISHED');
    const found = await client.searchRuns({
      experimentIds: [experiment.experiment_id],
      filter: `tags.\`${PARENT_RUN_TAG}\` = '${parent.info.run_id}'`,
      orderBy: ['attributes.start_time DESC'],
      maxResults: 10,
    });
    expect(found.map((r) => r.info.run_id)).toEqual([child.info.run_id]);
    expect(found[0]?.info.status).toBe('FINISHED');
    expect(found[0]?.info.end_time).toBeGreaterThan(0);
    expect(runTags(found[0]!)).toMatchObject({ note: 'hello', stage: 'candidate' });
    await client.updateRun(parent.info.run_id, 'KILLED');
    expect((await client.getRun(parent.info.run_id)).info.status).toBe('KILLED');
  });

  it('logs more than MLflow takes in one request by chunking, and metric history by step', async () => {
    const run = await client.createRun({ experimentId: experiment.experiment_id, runName: 'batch' });
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: `m${i % 1250}`, value: i / 10, step: i }));
    const params = Object.fromEntries(
      Array.from({ length: 130 }, (_, i) => [`p${i}`, i % 2 === 0 ? i : `v${i}`]),
    );
    const requests = await client.logBatch(run.info.run_id, {
      metrics,
      params: { ...params, long: 'x'.repeat(6000), missing: Number.NaN },
      tags: { model: 'xgboost' },
    });
    expect(requests).toBeGreaterThanOrEqual(3);
    for (let step = 0; step < 3; step += 1)
      await client.logMetric(run.info.run_id, 'loss', 1 / (step + 1), step);
    await client.logBatch(run.info.run_id, { metrics: { nan_metric: Number.NaN } });

    const stored = await client.getRun(run.info.run_id);
    const values = runMetrics(stored);
    expect(Object.keys(values).filter((k) => /^m\d+$/.test(k))).toHaveLength(1250);
    expect(values.m0).toBe(125); // step 1250 is the latest value of m0
    expect(values.nan_metric).toBeNaN();
    expect(runParams(stored)).toMatchObject({ p0: '0', p1: 'v1', p129: 'v129', missing: 'NaN' });
    expect(runParams(stored).long).toHaveLength(6000);
    expect(runTags(stored).model).toBe('xgboost');
    const history = await client.getMetricHistory(run.info.run_id, 'loss');
    expect(history.map((m) => [m.step, m.value])).toEqual([
      [0, 1],
      [1, 0.5],
      [2, 1 / 3],
    ]);
  });

  it('uploads a nested directory through the artifact proxy and downloads each file unchanged', async () => {
    const run = await client.createRun({ experimentId: experiment.experiment_id, runName: 'artifacts' });
    const files = new Map<string, Buffer>([
      ['booster.json', Buffer.from(JSON.stringify({ trees: [1, 2, 3] }))],
      ['meta/schema v1.json', Buffer.from('{"columns":["age","job"]}')],
      ['meta/deep/weights.bin', randomBytes(300_000)],
      ['empty.txt', Buffer.alloc(0)],
    ]);
    const written = await client.uploadDirectory(run.info.run_id, 'model', files);
    expect(written.sort()).toEqual([...files.keys()].map((p) => `model/${p}`).sort());
    for (const [rel, bytes] of files) {
      const back = await client.downloadArtifact(run.info.run_id, `model/${rel}`);
      expect(back.equals(bytes), rel).toBe(true);
    }
    const top = await client.listArtifacts(run.info.run_id);
    expect(top).toEqual([{ path: 'model', isDir: true }]);
    const meta = await client.listArtifacts(run.info.run_id, 'model/meta');
    expect(meta.map((f) => [f.path, f.isDir]).sort()).toEqual([
      ['model/meta/deep', true],
      ['model/meta/schema v1.json', false],
    ]);
    expect(meta.find((f) => !f.isDir)?.fileSize).toBe(files.get('meta/schema v1.json')?.length);
    expect(await client.listArtifacts(run.info.run_id, 'nothing/here')).toEqual([]);
    const missing = await caught(client.downloadArtifact(run.info.run_id, 'model/missing.bin'));
    expect(isNotFound(missing)).toBe(true);
    await expect(client.uploadArtifact(run.info.run_id, '../escape', Buffer.from('x'))).rejects.toThrow(
      /invalid artifact path/,
    );
  });

  it('registers versions from runs and moves aliases', async () => {
    const name = `bankops-test-model-${randomUUID()}`;
    const model = await client.getOrCreateRegisteredModel(name, 'term-deposit classifier (test)');
    expect(model.name).toBe(name);
    expect((await client.getOrCreateRegisteredModel(name)).description).toBe(
      'term-deposit classifier (test)',
    );

    const runs = [];
    for (const runName of ['train-1', 'train-2']) {
      const run = await client.createRun({ experimentId: experiment.experiment_id, runName });
      await client.uploadArtifact(
        run.info.run_id,
        'model/booster.json',
        Buffer.from(`{"run":"${runName}"}`),
        'application/json',
      );
      runs.push(run);
    }
    const [run1, run2] = runs as [(typeof runs)[number], (typeof runs)[number]];
    const v1 = await client.createModelVersion({
      name,
      source: `runs:/${run1.info.run_id}/model`,
      runId: run1.info.run_id,
      tags: { metric_roc_auc: '0.81' },
      description: 'first',
    });
    const v2 = await client.createModelVersion({
      name,
      source: `${run2.info.artifact_uri}/model`,
      runId: run2.info.run_id,
    });
    expect([v1.status, v2.status]).toEqual(['READY', 'READY']);
    expect([v1.version, v2.version]).toEqual(['1', '2']);
    expect((await client.searchModelVersions(name)).map((v) => v.version)).toEqual(['2', '1']);

    expect(await client.getVersionByAlias(name, 'champion')).toBeUndefined();
    expect(await client.getVersionByAlias(`no-such-model-${randomUUID()}`, 'champion')).toBeUndefined();
    await client.setAlias(name, 'champion', v1.version);
    await client.setAlias(name, 'challenger', 2);
    expect((await client.getVersionByAlias(name, 'champion'))?.version).toBe('1');

    const before = (await client.getAliases(name)) ?? {};
    expect(before).toEqual({ champion: '1', challenger: '2' });
    await client.applyAliasPlan(name, planAliasMove({ ...before, newVersion: v2.version }));
    expect(await client.getAliases(name)).toEqual({ champion: '2', previous: '1' });
    expect(await client.getVersionByAlias(name, 'challenger')).toBeUndefined();

    await client.applyAliasPlan(name, planRollback({ ...(await client.getAliases(name)), model: name }));
    expect(await client.getAliases(name)).toEqual({ champion: '1' });

    await client.setModelVersionTag(name, 1, 'validation', 'passed');
    const tagged = await client.getModelVersion(name, '1');
    expect(tagged.tags).toEqual(expect.arrayContaining([{ key: 'validation', value: 'passed' }]));
    expect(tagged.aliases).toEqual(['champion']);

    await client.deleteAlias(name, 'champion');
    await client.deleteAlias(name, 'champion'); // absent already: still fine
    expect(await client.getVersionByAlias(name, 'champion')).toBeUndefined();
  });

  it('reports an unreachable server as SERVICE_UNAVAILABLE', async () => {
    const port = await closedPort();
    const offline = new MlflowClient(
      { ...config, urls: { ...config.urls, mlflow: `http://127.0.0.1:${port}` } },
      { retry: { retries: 1, initialRetryTimeMs: 10 } },
    );
    // A GET (retried, then given up) and a POST (sent once).
    for (const attempt of [() => offline.getRun('x'), () => offline.createRun({ experimentId: '0' })]) {
      const error = await caught(attempt());
      expect(error.code).toBe('SERVICE_UNAVAILABLE');
      expect(error.retriable).toBe(true);
      expect(error.message).toContain(`MLflow unreachable at http://127.0.0.1:${port}`);
    }
    expect(await offline.health()).toBe(false);
  });

  it("surfaces MLflow's error message and code", async () => {
    const missing = await caught(client.getRun(`missing-${randomUUID().replace(/-/g, '')}`));
    expect(missing.code).toBe('REGISTRY_FAILED');
    expect(isNotFound(missing)).toBe(true);
    expect(missing.message).toMatch(/Run with id=missing-\w+ not found/);
    expect(missing.retriable).toBe(false);

    const run = await client.createRun({ experimentId: experiment.experiment_id });
    await client.logBatch(run.info.run_id, { params: { depth: 4 } });
    const overwrite = await caught(client.logBatch(run.info.run_id, { params: { depth: 6 } }));
    expect(isBankopsError(overwrite, 'REGISTRY_FAILED')).toBe(true);
    expect(overwrite.details).toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE', status: 400 });
    expect(overwrite.message).toContain('depth');
    expect(isNotFound(overwrite)).toBe(false);
  });
});
