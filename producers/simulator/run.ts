import { Agent, request } from 'undici';
import { FEATURE_COLUMNS } from '../../src/bank/columns.js';
import { BankopsError, errorMessage } from '../../src/errors/index.js';
import { mulberry32 } from '../../src/training/split.js';
import type { SimulatedRecord } from './records.js';

export interface SimulationOptions {
  /** The serving API, e.g. http://127.0.0.1:8000. */
  url: string;
  apiKey?: string;
  records: readonly SimulatedRecord[];
  /** Target requests per second (one record each). */
  rate: number;
  /** How long after its answer a record's outcome is reported. */
  labelDelayMs: number;
  /** Share of answered records whose outcome is reported (0..1). */
  labelCoverage: number;
  /** Requests in flight at most (the rate is a target, not a promise, when the server is slower). */
  concurrency?: number;
  seed?: number;
  /** Stops sending new requests; answered records' outcomes are still reported (at once). */
  signal?: AbortSignal;
  onProgress?(progress: { sent: number; answered: number; errors: number; labelsSent: number }): void;
}

export interface SimulatedPrediction {
  predictionId: string;
  probability: number;
  outcome: boolean;
  route: '/invocations' | '/v1/predict';
  labelled: boolean;
}

export interface SimulationSummary {
  sent: number;
  answered: number;
  errors: number;
  labelsSent: number;
  labelErrors: number;
  latencyMs: { p50: number; p95: number; p99: number };
  elapsedMs: number;
  predictions: SimulatedPrediction[];
  firstError?: string;
}

const percentile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the records to the serving API at a target rate, alternating the workshop's `/invocations`
 * (`dataframe_split` with the raw columns) and `/v1/predict`; after `labelDelayMs` it reports the true
 * outcome of a `labelCoverage` share of the answered records on `/v1/ground-truth` (batched). Event times
 * are the server's clock: the simulation runs in real time.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationSummary> {
  if (!(options.rate > 0)) throw new BankopsError('USAGE', `--rate must be positive, got ${options.rate}`);
  if (!(options.labelCoverage >= 0 && options.labelCoverage <= 1)) {
    throw new BankopsError('USAGE', `--label-coverage must be within 0..1, got ${options.labelCoverage}`);
  }
  const base = options.url.replace(/\/+$/, '');
  const agent = new Agent({ connections: options.concurrency ?? 32, keepAliveTimeout: 10_000 });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers['authorization'] = `Bearer ${options.apiKey}`;
  const random = mulberry32(options.seed ?? 7);
  const summary: SimulationSummary = {
    sent: 0,
    answered: 0,
    errors: 0,
    labelsSent: 0,
    labelErrors: 0,
    latencyMs: { p50: NaN, p95: NaN, p99: NaN },
    elapsedMs: 0,
    predictions: [],
  };
  const latencies: number[] = [];
  const labelQueue: Array<{ due: number; predictionId: string; outcome: boolean }> = [];
  const report = () => options.onProgress?.(summary);
  const fail = (error: string) => {
    summary.firstError ??= error;
  };

  const post = async (path: string, body: unknown, extra: Record<string, string> = {}): Promise<unknown> => {
    const response = await request(`${base}${path}`, {
      method: 'POST',
      headers: { ...headers, ...extra },
      body: JSON.stringify(body),
      dispatcher: agent,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(`${path}: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  };

  const predictOne = async (record: SimulatedRecord, index: number): Promise<void> => {
    const route = index % 2 === 0 ? '/invocations' : '/v1/predict';
    const started = performance.now();
    try {
      let predictionId: string;
      let probability: number;
      if (route === '/invocations') {
        // MLflow's protocol has no field for it: the customer key travels in a header
        const answer = (await post(
          route,
          {
            dataframe_split: {
              columns: [...FEATURE_COLUMNS],
              data: [FEATURE_COLUMNS.map((c) => record.features[c] ?? null)],
            },
          },
          { 'x-customer-key': record.customerKey },
        )) as { predictions: number[]; prediction_ids: string[] };
        predictionId = answer.prediction_ids[0] as string;
        probability = answer.predictions[0] as number;
      } else {
        const answer = (await post(route, { ...record.features, customerKey: record.customerKey })) as {
          predictions: Array<{ predictionId: string; probability: number }>;
        };
        predictionId = answer.predictions[0]?.predictionId as string;
        probability = answer.predictions[0]?.probability as number;
      }
      latencies.push(performance.now() - started);
      summary.answered += 1;
      const labelled = random() < options.labelCoverage;
      summary.predictions.push({ predictionId, probability, outcome: record.outcome, route, labelled });
      if (labelled)
        labelQueue.push({ due: Date.now() + options.labelDelayMs, predictionId, outcome: record.outcome });
    } catch (error) {
      summary.errors += 1;
      fail(errorMessage(error));
    }
    report();
  };

  const sendLabels = async (all: boolean): Promise<void> => {
    const now = Date.now();
    // Answers come back nearly in order, so the queue is close to sorted by due time.
    const due = all ? labelQueue.splice(0) : extractDue(labelQueue, now);
    for (let i = 0; i < due.length; i += 500) {
      const chunk = due.slice(i, i + 500);
      try {
        await post('/v1/ground-truth', {
          labels: chunk.map((l) => ({ predictionId: l.predictionId, outcome: l.outcome })),
        });
        summary.labelsSent += chunk.length;
      } catch (error) {
        summary.labelErrors += chunk.length;
        fail(errorMessage(error));
      }
    }
    if (due.length > 0) report();
  };

  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const limit = options.concurrency ?? 32;
  let labelling: Promise<void> = Promise.resolve();
  const labelTimer = setInterval(() => {
    labelling = labelling.then(() => sendLabels(false));
  }, 100);
  try {
    for (let i = 0; i < options.records.length && options.signal?.aborted !== true; i += 1) {
      const at = started + (i * 1000) / options.rate;
      const wait = at - Date.now();
      if (wait > 0) await sleep(wait);
      while (inFlight.size >= limit) await Promise.race(inFlight);
      summary.sent += 1;
      const task = predictOne(options.records[i] as SimulatedRecord, i).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
    const lastDue = Math.max(0, ...labelQueue.map((l) => l.due));
    if (lastDue > Date.now() && options.signal?.aborted !== true) await sleep(lastDue - Date.now());
  } finally {
    clearInterval(labelTimer);
    await labelling;
    await sendLabels(true);
    await agent.close();
  }
  latencies.sort((a, b) => a - b);
  summary.latencyMs = {
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
  };
  summary.elapsedMs = Date.now() - started;
  return summary;
}

function extractDue<T extends { due: number }>(queue: T[], now: number): T[] {
  const due: T[] = [];
  for (let i = queue.length - 1; i >= 0; i -= 1) {
    if ((queue[i] as T).due <= now) due.push(...queue.splice(i, 1));
  }
  return due.reverse();
}
