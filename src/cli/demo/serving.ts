import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { COLUMNS, isIntegerColumn, type BankRecord } from '../../bank/columns.js';
import { hashApiKey } from '../../../serving/plugins/auth.js';
import { mulberry32 } from '../../training/split.js';
import { spawnBankops, type BankopsProcess } from './processes.js';

export interface DemoServing {
  process: BankopsProcess;
  url: string;
  apiKey: string;
}

/** Runs `bankops serve` in its own process with a fresh API key (only its hash is passed on). */
export async function startDemoServing(config: Config): Promise<DemoServing> {
  const apiKey = config.serving.auth === 'on' ? randomBytes(24).toString('hex') : '';
  const hashes = [...config.serving.apiKeyHashes, ...(apiKey ? [hashApiKey(apiKey)] : [])];
  const process = await spawnBankops(config, 'serve', ['serve'], /serving at/, {
    BANKOPS_SERVING_API_KEYS: hashes.join(','),
  });
  return { process, url: `http://${config.serving.host}:${config.serving.port}`, apiKey };
}

const FEATURES = COLUMNS.filter((c) => c !== 'y');

function headers(apiKey: string): Record<string, string> {
  return { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
}

/** The workshop's simulation payload: `dataframe_split` with raw column values, to MLflow's /invocations. */
export async function workshopCall(
  serving: DemoServing,
  records: readonly BankRecord[],
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${serving.url}/invocations`, {
    method: 'POST',
    headers: headers(serving.apiKey),
    body: JSON.stringify({
      dataframe_split: { columns: FEATURES, data: records.map((r) => FEATURES.map((c) => r[c])) },
    }),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * The same customers through the Open Inference Protocol v2, as a KServe, Seldon or Triton client sends
 * them: one named tensor per column. Returns the status and each output's first values.
 */
export async function oipCall(
  serving: DemoServing,
  model: string,
  records: readonly BankRecord[],
): Promise<{ status: number; outputs: Record<string, unknown[]> }> {
  const inputs = FEATURES.map((c) => ({
    name: c,
    datatype: isIntegerColumn(c) ? 'INT64' : 'BYTES',
    shape: [records.length],
    data: records.map((r) => r[c]),
  }));
  const response = await fetch(`${serving.url}/v2/models/${encodeURIComponent(model)}/infer`, {
    method: 'POST',
    headers: headers(serving.apiKey),
    body: JSON.stringify({ inputs }),
  });
  const body = (await response.json()) as { outputs?: Array<{ name: string; data: unknown[] }> };
  return {
    status: response.status,
    outputs: Object.fromEntries((body.outputs ?? []).map((o) => [o.name, o.data])),
  };
}

export interface TrafficSummary {
  sent: number;
  ok: number;
  failed: number;
  versions: Record<string, number>;
}

/**
 * Keeps `concurrency` clients calling /v1/predict, each at most `perClientRate` requests a second, until
 * stopped; counts answers by model version. The records go in a shuffled order: cycling them in event-time
 * order would show the monitor a few months of customers at a time (a month and day drift of our making).
 */
export function traffic(
  serving: DemoServing,
  records: readonly BankRecord[],
  concurrency = 2,
  perClientRate = 10,
) {
  const summary: TrafficSummary = { sent: 0, ok: 0, failed: 0, versions: {} };
  const random = mulberry32(7);
  const order = records.map((record) => ({ record, at: random() })).sort((a, b) => a.at - b.at);
  let running = true;
  const client = async (offset: number) => {
    for (let i = offset; running; i += concurrency) {
      const record = (order[i % order.length] as { record: BankRecord }).record;
      const features = Object.fromEntries(FEATURES.map((c) => [c, record[c]]));
      summary.sent += 1;
      try {
        const response = await fetch(`${serving.url}/v1/predict`, {
          method: 'POST',
          headers: headers(serving.apiKey),
          body: JSON.stringify(features),
        });
        const body = (await response.json()) as { predictions?: Array<{ modelVersion?: string }> };
        const version = body.predictions?.[0]?.modelVersion;
        if (response.ok && version) {
          summary.ok += 1;
          summary.versions[version] = (summary.versions[version] ?? 0) + 1;
        } else summary.failed += 1;
      } catch {
        summary.failed += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 / perClientRate));
    }
  };
  const clients = Array.from({ length: concurrency }, (_, i) => client(i));
  return {
    summary,
    async stop(): Promise<TrafficSummary> {
      running = false;
      await Promise.all(clients);
      return summary;
    },
  };
}

/** The champion version the server answers with now (GET /ready). */
export async function servedVersion(serving: DemoServing): Promise<string> {
  const response = await fetch(`${serving.url}/ready`);
  const body = (await response.json()) as { modelVersion?: string | null };
  return body.modelVersion ?? 'none';
}
