/**
 * The serving process as it runs in production (`node --import tsx serving/server.ts`): a model swap under
 * continuous load without a failed request, no answered prediction lost to kill -9, a graceful SIGTERM,
 * and several workers on one port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../src/kafka/generated/types.js';
import { pipelineEvent, publishEvent } from '../../src/kafka/events.js';
import { AvroProducer } from '../../src/kafka/producer.js';
import { API_KEY, customer, readTopic, servingFixture, type ServingFixture } from './helpers/serving.js';
import { freePort, killServingProcesses, startServingProcess } from './helpers/serving-process.js';
import { waitFor } from './helpers/wait.js';

let fixture: ServingFixture;
const startServer = (args: string[] = [], env: Record<string, string> = {}) =>
  startServingProcess(fixture, args, env);

async function predict(url: string): Promise<{ status: number; id?: string; version?: string }> {
  const response = await fetch(`${url}/v1/predict`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(customer()),
  });
  if (response.status !== 200) return { status: response.status };
  const body = (await response.json()) as {
    predictions: Array<{ predictionId: string; modelVersion: string }>;
  };
  return { status: 200, id: body.predictions[0]?.predictionId, version: body.predictions[0]?.modelVersion };
}

/** `workers` concurrent request loops until `until()` says stop; collects every outcome. */
async function load(url: string, workers: number, until: () => boolean) {
  const outcomes: Array<{ status: number; id?: string; version?: string; error?: string }> = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) {
        outcomes.push(await predict(url).catch((error: unknown) => ({ status: 0, error: String(error) })));
      }
    }),
  );
  return outcomes;
}

beforeAll(async () => {
  fixture = await servingFixture();
});

afterAll(async () => {
  killServingProcesses();
  await fixture.mlflow
    .setAlias(fixture.modelName, 'champion', fixture.good[0].version)
    .catch(() => undefined);
});

describe('serving process', () => {
  it('swaps models under continuous load with zero failed requests', async () => {
    await fixture.mlflow.setAlias(fixture.modelName, 'champion', fixture.good[0].version);
    const server = await startServer();
    let stop = false;
    const running = load(server.url, 6, () => stop);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await fixture.mlflow.setAlias(fixture.modelName, 'champion', fixture.good[1].version);
    const producer = new AvroProducer(fixture.kafka, fixture.registry);
    await publishEvent(
      producer,
      pipelineEvent('model.promoted', 'test', { model: fixture.modelName, version: fixture.good[1].version }),
      fixture.topics.pipelineEvents,
    );
    await producer.close();
    await waitFor(
      () => predict(server.url),
      (r) => r.version === fixture.good[1].version,
      { what: 'the new version to answer', timeoutMs: 60_000, intervalMs: 100 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    const outcomes = await running;
    const failed = outcomes.filter((o) => o.status !== 200);
    expect(failed).toEqual([]);
    const versions = new Set(outcomes.map((o) => o.version));
    expect(versions).toEqual(new Set([fixture.good[0].version, fixture.good[1].version]));
    // After the first answer by the new version, the old one never answers again.
    const firstNew = outcomes.findIndex((o) => o.version === fixture.good[1].version);
    expect(outcomes.slice(firstNew + 6).every((o) => o.version === fixture.good[1].version)).toBe(true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/bankops_serving_model_swaps_total\{role="champion"\} 2/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('kill -9 after N answered requests: all N prediction ids are on the topic', async () => {
    const server = await startServer();
    const N = 300;
    const ids: string[] = [];
    let killed = false;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!killed) {
          const outcome = await predict(server.url).catch(() => ({ status: 0, id: undefined }));
          if (outcome.status === 200 && outcome.id && !killed) {
            ids.push(outcome.id);
            if (ids.length >= N) {
              killed = true;
              server.child.kill('SIGKILL');
            }
          }
        }
      }),
    );
    await server.exited;
    expect(ids.length).toBeGreaterThanOrEqual(N);
    const onTopic = new Set(
      (await readTopic<Prediction>(fixture, fixture.topics.predictions)).map((e) => e.prediction_id),
    );
    expect(ids.filter((id) => !onTopic.has(id))).toEqual([]);
  });

  it('SIGTERM drains: in-flight requests are answered and their events flushed, exit 0', async () => {
    const server = await startServer();
    let stop = false;
    const running = load(server.url, 8, () => stop);
    await new Promise((resolve) => setTimeout(resolve, 500));
    server.child.kill('SIGTERM');
    const code = await server.exited;
    stop = true;
    const outcomes = await running;
    expect(code).toBe(0);
    const answered = outcomes.filter((o) => o.status === 200);
    expect(answered.length).toBeGreaterThan(0);
    // Requests after the close began get 503 or a refused connection, never a 500.
    expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503)).toEqual([]);
    const onTopic = new Set(
      (await readTopic<Prediction>(fixture, fixture.topics.predictions)).map((e) => e.prediction_id),
    );
    expect(answered.filter((o) => !onTopic.has(o.id as string))).toEqual([]);
  });

  it('--workers 2 serves on one port with aggregated metrics', async () => {
    const metricsPort = await freePort();
    const server = await startServer(['--workers', '2'], {
      BANKOPS_SERVING_METRICS_PORT: String(metricsPort),
    });
    // Both workers must be up (the port answers as soon as the first one is).
    await waitFor(
      () => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text()),
      (text) => /bankops_serving_model_info\{[^}]*\} 2/.test(text),
      { what: 'both workers', timeoutMs: 120_000 },
    );
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => predict(server.url)));
    expect(outcomes.every((o) => o.status === 200)).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(
      /bankops_serving_http_requests_total\{[^}]*route="\/v1\/predict"[^}]*status_code="200"[^}]*\} 4\d/,
    );
    expect(metrics).toMatch(/bankops_serving_model_info\{[^}]*\} 2/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
