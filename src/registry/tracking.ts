import { BankopsError } from '../errors/index.js';
import { MlflowHttp, isNotFound, mlflowErrorCode } from './http.js';
import type {
  Experiment,
  KeyValue,
  Metric,
  MetricInput,
  ParamValue,
  Run,
  TerminalRunStatus,
} from './types.js';

/** MLflow's own per-request limits (mlflow/utils/validation.py). */
export const LOG_BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  /** metrics + params + tags in one request */
  total: 1000,
  /** The server refuses bodies over 1 MB; stay well under it. */
  bytes: 900_000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
} as const;

export const PARENT_RUN_TAG = 'mlflow.parentRunId';

export interface CreateRunInput {
  experimentId: string;
  runName?: string;
  tags?: Record<string, string>;
  /** Makes this a nested run: MLflow links children to parents through a tag. */
  parentRunId?: string;
  startTime?: number;
}

export interface LogBatchInput {
  metrics?: readonly MetricInput[] | Record<string, number>;
  params?: Record<string, ParamValue>;
  tags?: Record<string, string>;
}

export interface SearchRunsInput {
  experimentIds: readonly string[];
  /** MLflow search syntax, e.g. `metrics.roc_auc > 0.8 and tags.stage = 'candidate'`. */
  filter?: string;
  orderBy?: readonly string[];
  /** Total runs to return across pages (default 1000). */
  maxResults?: number;
}

type WireMetric = { key: string; value: number | string; timestamp: number; step: number };
type BatchItem =
  | { kind: 'metrics'; item: WireMetric }
  | { kind: 'params'; item: KeyValue }
  | { kind: 'tags'; item: KeyValue };

/** JSON has no NaN/Infinity; protobuf's JSON mapping takes them as strings. */
function encodeDouble(value: number): number | string {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

function decodeDouble(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

function normalizeRun(run: Run): Run {
  const metrics = run.data.metrics?.map((m): Metric => ({ ...m, value: decodeDouble(m.value) }));
  return { info: run.info, data: { ...run.data, ...(metrics ? { metrics } : {}) } };
}

function checkKey(kind: string, key: string): void {
  if (key.length === 0 || key.length > LOG_BATCH_LIMITS.keyLength) {
    throw new BankopsError(
      'USAGE',
      `${kind} key ${JSON.stringify(key.slice(0, 40))} must have 1 to ${LOG_BATCH_LIMITS.keyLength} characters`,
      { hint: 'Use a shorter key.' },
    );
  }
}

function checkValue(kind: string, key: string, value: string, max: number): void {
  if (value.length > max) {
    throw new BankopsError(
      'USAGE',
      `${kind} ${key} has ${value.length} characters; MLflow accepts at most ${max}`,
      { hint: 'Log long values as an artifact (uploadArtifact) and put its path in the value.' },
    );
  }
}

/** Orders params, then tags, then metrics, validated and in wire form. */
function batchItems(input: LogBatchInput): BatchItem[] {
  const items: BatchItem[] = [];
  for (const [key, raw] of Object.entries(input.params ?? {})) {
    const value = String(raw);
    checkKey('param', key);
    checkValue('param', key, value, LOG_BATCH_LIMITS.paramValueLength);
    items.push({ kind: 'params', item: { key, value } });
  }
  for (const [key, value] of Object.entries(input.tags ?? {})) {
    checkKey('tag', key);
    checkValue('tag', key, value, LOG_BATCH_LIMITS.tagValueLength);
    items.push({ kind: 'tags', item: { key, value } });
  }
  const now = Date.now();
  const metrics: readonly MetricInput[] = Array.isArray(input.metrics)
    ? input.metrics
    : Object.entries(input.metrics ?? {}).map(([key, value]) => ({ key, value }));
  for (const m of metrics) {
    checkKey('metric', m.key);
    if (typeof m.value !== 'number') {
      throw new BankopsError('USAGE', `metric ${m.key} is not a number (${typeof m.value})`);
    }
    const step = m.step ?? 0;
    if (!Number.isInteger(step))
      throw new BankopsError('USAGE', `metric ${m.key}: step ${step} is not an integer`);
    const item = { key: m.key, value: encodeDouble(m.value), timestamp: m.timestamp ?? now, step };
    items.push({ kind: 'metrics', item });
  }
  return items;
}

/** Greedy packing into requests that each respect every MLflow limit. */
export function chunkBatch(
  input: LogBatchInput,
): Array<{ metrics: WireMetric[]; params: KeyValue[]; tags: KeyValue[] }> {
  const chunks: Array<{ metrics: WireMetric[]; params: KeyValue[]; tags: KeyValue[] }> = [];
  let current = { metrics: [] as WireMetric[], params: [] as KeyValue[], tags: [] as KeyValue[] };
  let count = 0;
  let bytes = 0;
  for (const entry of batchItems(input)) {
    const size = Buffer.byteLength(JSON.stringify(entry.item)) + 1;
    const full =
      current[entry.kind].length >= LOG_BATCH_LIMITS[entry.kind] ||
      count >= LOG_BATCH_LIMITS.total ||
      bytes + size > LOG_BATCH_LIMITS.bytes;
    if (full && count > 0) {
      chunks.push(current);
      current = { metrics: [], params: [], tags: [] };
      count = 0;
      bytes = 0;
    }
    if (entry.kind === 'metrics') current.metrics.push(entry.item);
    else current[entry.kind].push(entry.item);
    count += 1;
    bytes += size;
  }
  if (count > 0) chunks.push(current);
  return chunks;
}

const toTags = (tags: Record<string, string>): KeyValue[] =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

/** Experiments and runs. */
export class TrackingClient extends MlflowHttp {
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const { experiment } = await this.call<{ experiment: Experiment }>('GET', 'experiments/get-by-name', {
        query: { experiment_name: name },
      });
      return experiment;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Race-safe: a concurrent creator makes our create fail with RESOURCE_ALREADY_EXISTS; we then read. */
  async getOrCreateExperiment(name: string): Promise<Experiment> {
    const existing = await this.getExperimentByName(name);
    if (existing) return this.revive(existing);
    try {
      await this.call('POST', 'experiments/create', { body: { name } });
    } catch (error) {
      if (mlflowErrorCode(error) !== 'RESOURCE_ALREADY_EXISTS') throw error;
    }
    const created = await this.getExperimentByName(name);
    if (!created) {
      throw new BankopsError(
        'REGISTRY_FAILED',
        `MLflow experiment ${name} vanished right after its creation`,
      );
    }
    return this.revive(created);
  }

  /** A deleted experiment keeps its name but takes no runs; bankops owns its experiments, so restore it. */
  private async revive(experiment: Experiment): Promise<Experiment> {
    if (experiment.lifecycle_stage !== 'deleted') return experiment;
    this.log.warn({ experiment: experiment.name }, 'restoring a deleted MLflow experiment');
    await this.call('POST', 'experiments/restore', { body: { experiment_id: experiment.experiment_id } });
    return { ...experiment, lifecycle_stage: 'active' };
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    const tags = { ...input.tags, ...(input.parentRunId ? { [PARENT_RUN_TAG]: input.parentRunId } : {}) };
    const { run } = await this.call<{ run: Run }>('POST', 'runs/create', {
      body: {
        experiment_id: input.experimentId,
        ...(input.runName ? { run_name: input.runName } : {}),
        start_time: input.startTime ?? Date.now(),
        tags: toTags(tags),
      },
    });
    return normalizeRun(run);
  }

  /** Splits into as many requests as MLflow's limits need; answers how many were sent. */
  async logBatch(runId: string, input: LogBatchInput): Promise<number> {
    const chunks = chunkBatch(input);
    for (const chunk of chunks) {
      await this.call('POST', 'runs/log-batch', { body: { run_id: runId, ...chunk } });
    }
    return chunks.length;
  }

  async logMetric(
    runId: string,
    key: string,
    value: number,
    step = 0,
    timestamp = Date.now(),
  ): Promise<void> {
    await this.logBatch(runId, { metrics: [{ key, value, step, timestamp }] });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    checkKey('tag', key);
    checkValue('tag', key, value, LOG_BATCH_LIMITS.tagValueLength);
    await this.call('POST', 'runs/set-tag', { body: { run_id: runId, key, value } });
  }

  async updateRun(runId: string, status: TerminalRunStatus, endTime = Date.now()): Promise<void> {
    await this.call('POST', 'runs/update', { body: { run_id: runId, status, end_time: endTime } });
  }

  async getRun(runId: string): Promise<Run> {
    const { run } = await this.call<{ run: Run }>('GET', 'runs/get', { query: { run_id: runId } });
    return normalizeRun(run);
  }

  /** Every logged value of one metric (all steps), in the server's order. */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const history: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call<{ metrics?: Metric[]; next_page_token?: string }>(
        'GET',
        'metrics/get-history',
        {
          query: { run_id: runId, metric_key: key, max_results: 25_000, page_token: pageToken },
        },
      );
      history.push(...(page.metrics ?? []).map((m) => ({ ...m, value: decodeDouble(m.value) })));
      pageToken = page.next_page_token;
    } while (pageToken);
    return history;
  }

  /** Follows page tokens until maxResults runs or the end. */
  async searchRuns(input: SearchRunsInput): Promise<Run[]> {
    const wanted = input.maxResults ?? 1000;
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call<{ runs?: Run[]; next_page_token?: string }>('POST', 'runs/search', {
        body: {
          experiment_ids: input.experimentIds,
          ...(input.filter ? { filter: input.filter } : {}),
          ...(input.orderBy ? { order_by: input.orderBy } : {}),
          max_results: Math.min(1000, wanted - runs.length),
          ...(pageToken ? { page_token: pageToken } : {}),
        },
        // A search changes nothing on the server, so it may be retried although it is a POST.
        retry: true,
      });
      runs.push(...(page.runs ?? []).map(normalizeRun));
      pageToken = page.next_page_token;
    } while (pageToken && runs.length < wanted);
    return runs;
  }
}

/** The latest value of each metric of a run. */
export function runMetrics(run: Run): Record<string, number> {
  return Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
}

export function runParams(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
}

export function runTags(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}
