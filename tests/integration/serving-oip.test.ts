/**
 * Open Inference Protocol v2 against a real serving process, called by a third-party client (Triton's
 * tritonclient, as KServe and Seldon users do) and by raw HTTP: health, metadata, readiness and inference,
 * with the same auth, prediction events and metrics as the other scoring routes.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../src/kafka/generated/types.js';
import {
  API_KEY,
  config,
  customer,
  readTopic,
  servingFixture,
  type ServingFixture,
} from './helpers/serving.js';
import { killServingProcesses, startServingProcess, type ServingProcess } from './helpers/serving-process.js';
import { runTool, testTool } from './helpers/test-tools.js';

let fixture: ServingFixture;
let server: ServingProcess;
const auth = { authorization: `Bearer ${API_KEY}` };

beforeAll(async () => {
  fixture = await servingFixture();
  server = await startServingProcess(fixture);
});

afterAll(() => killServingProcesses());

const infer = (body: unknown, headers: Record<string, string> = auth, name = fixture.modelName) =>
  fetch(`${server.url}/v2/models/${name}/infer`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** One tensor per column of `record`, `rows` copies of it. */
function tensors(record: Record<string, unknown>, rows = 1) {
  return Object.entries(record).map(([name, value]) => ({
    name,
    shape: [rows],
    datatype: typeof value === 'string' ? 'BYTES' : 'INT64',
    data: Array.from({ length: rows }, () => value),
  }));
}

describe('open inference protocol v2', () => {
  it('answers tritonclient: live, ready, metadata, infer; a wrong model name is a 404', async () => {
    const { code, output } = await runTool(
      testTool('python'),
      [
        path.join(config.repoRoot, 'tests/integration/helpers/oip-client.py'),
        server.url.replace('http://', ''),
        API_KEY,
        fixture.modelName,
        JSON.stringify(customer()),
      ],
      60_000,
    );
    expect(code, output).toBe(0);
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
    expect(result).toMatchObject({ live: true, ready: true, model_ready: true, wrong_name: '404' });
    expect(result.metadata).toMatchObject({ name: fixture.modelName, versions: [fixture.good[0].version] });
    expect(result.metadata.inputs).toContainEqual({ name: 'job', datatype: 'BYTES', shape: [-1] });
    expect(result.metadata.inputs).toContainEqual({ name: 'age', datatype: 'INT64', shape: [-1] });
    expect(result.metadata.outputs).toContainEqual({ name: 'probability', datatype: 'FP64', shape: [-1] });
    expect(result.response).toMatchObject({
      model_name: fixture.modelName,
      model_version: fixture.good[0].version,
      id: 'oip-test',
    });
    const direct = await fetch(`${server.url}/v1/predict`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(customer()),
    });
    const expected = ((await direct.json()) as { predictions: Array<{ probability: number }> })
      .predictions[0];
    expect(result.probability).toHaveLength(3);
    for (const p of result.probability as number[]) expect(p).toBeCloseTo(expected?.probability ?? -1, 6);
    // the same prediction events as /v1/predict, with the route they came by
    const events = await readTopic<Prediction>(fixture, fixture.topics.predictions);
    const ids = new Set(result.prediction_id as string[]);
    const published = events.filter((e) => ids.has(e.prediction_id));
    expect(published).toHaveLength(3);
    expect(published[0]).toMatchObject({ route: '/v2/models/:name/infer', model_name: fixture.modelName });
    expect(JSON.parse(published[0]?.features_json ?? '{}')).toEqual(customer());
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /bankops_serving_http_requests_total\{route="\/v2\/models\/:name\/infer",method="POST",status_code="200"\} [1-9]/,
    );
  });

  it('routes by customerKey, answers every output by default, and refuses in the protocol’s words', async () => {
    const ok = await infer({ inputs: [...tensors(customer(), 2), tensors({ customerKey: 'c-1' }, 2)[0]] });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { outputs: Array<{ name: string; data: unknown[] }> };
    expect(body.outputs.map((o) => o.name)).toEqual([
      'probability',
      'decision',
      'threshold',
      'model_version',
      'variant',
      'prediction_id',
    ]);
    expect(body.outputs.find((o) => o.name === 'variant')?.data).toEqual(['champion', 'champion']);

    const missingKey = await infer({ inputs: tensors(customer()) }, {});
    expect(missingKey.status).toBe(401);
    expect(await missingKey.json()).toEqual({ error: 'missing Authorization header' });
    const wrongName = await infer({ inputs: tensors(customer()) }, auth, 'other-model');
    expect(wrongName.status).toBe(404);
    expect(await wrongName.json()).toEqual({ error: 'model "other-model" is not served here' });
    const unknown = await infer({ inputs: tensors(customer({ job: 'astronaut' })) });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'row 0.job: unknown category "astronaut"' });
    const uneven = tensors(customer());
    uneven[0] = { ...uneven[0], shape: [2], data: [41, 42] } as (typeof uneven)[number];
    const mismatch = await infer({ inputs: uneven });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { error: string }).error).toMatch(/rows where the first input has/);
    const missing = await infer({ inputs: tensors(customer()).filter((t) => t.name !== 'balance') });
    expect(((await missing.json()) as { error: string }).error).toBe(
      'row 0.balance: required field is missing',
    );
  });
});
