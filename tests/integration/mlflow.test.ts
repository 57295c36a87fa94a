/**
 * The local MLflow tracking server through its REST API only: experiments, runs, metrics, params, and
 * artifacts stored through the server's artifact proxy (--serve-artifacts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';

const base = getConfig().urls.mlflow;

async function call<T>(method: 'GET' | 'POST', endpoint: string, body?: object): Promise<T> {
  const url = `${base}/api/2.0/mlflow/${endpoint}`;
  const response = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} -> ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

interface RunInfo {
  run_id: string;
  experiment_id: string;
  artifact_uri: string;
  status: string;
}
interface Run {
  info: RunInfo;
  data: {
    metrics?: Array<{ key: string; value: number; step: number }>;
    params?: Array<{ key: string; value: string }>;
  };
}

describe('MLflow tracking server', () => {
  it('answers /health', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
  });

  it('tracks a run with a metric, a param and a proxied artifact', async () => {
    const name = `bankops-test-${randomUUID()}`;
    const { experiment_id: experimentId } = await call<{ experiment_id: string }>(
      'POST',
      'experiments/create',
      {
        name,
      },
    );
    expect(experimentId).toMatch(/^\d+$/);

    const { experiment } = await call<{ experiment: { name: string; artifact_location: string } }>(
      'GET',
      `experiments/get?experiment_id=${experimentId}`,
    );
    expect(experiment.name).toBe(name);
    // Served artifacts: the experiment stores them through the server, not on a client-visible path.
    expect(experiment.artifact_location).toMatch(/^mlflow-artifacts:\//);

    const { run } = await call<{ run: Run }>('POST', 'runs/create', {
      experiment_id: experimentId,
      run_name: 'rest-api-test',
      start_time: Date.now(),
    });
    const runId = run.info.run_id;
    await call('POST', 'runs/log-metric', {
      run_id: runId,
      key: 'auc',
      value: 0.9125,
      timestamp: Date.now(),
      step: 3,
    });
    await call('POST', 'runs/log-parameter', { run_id: runId, key: 'max_depth', value: '6' });

    // mlflow-artifacts:/<experiment>/<run>/artifacts -> /api/2.0/mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/...
    const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, '');
    expect(root).not.toBe(run.info.artifact_uri);
    const artifactPath = `${root}/model/weights.bin`;
    const content = randomBytes(64 * 1024);
    const artifactUrl = `${base}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`;
    const put = await fetch(artifactUrl, { method: 'PUT', body: content });
    expect(put.status).toBe(200);
    await put.arrayBuffer();

    const get = await fetch(artifactUrl);
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(content)).toBe(true);

    const listed = await call<{ files?: Array<{ path: string; is_dir: boolean; file_size?: number }> }>(
      'GET',
      `artifacts/list?run_id=${runId}&path=model`,
    );
    expect(listed.files).toContainEqual({
      path: 'model/weights.bin',
      is_dir: false,
      file_size: content.length,
    });

    await call('POST', 'runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });

    const fetched = await call<{ run: Run }>('GET', `runs/get?run_id=${runId}`);
    expect(fetched.run.info.status).toBe('FINISHED');
    expect(fetched.run.data.metrics).toContainEqual(
      expect.objectContaining({ key: 'auc', value: 0.9125, step: 3 }),
    );
    expect(fetched.run.data.params).toContainEqual({ key: 'max_depth', value: '6' });
  });

  it('rejects a request for an unknown run with a 404 error body', async () => {
    const response = await fetch(
      `${base}/api/2.0/mlflow/runs/get?run_id=${randomUUID().replaceAll('-', '')}`,
    );
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error_code: string };
    expect(body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
