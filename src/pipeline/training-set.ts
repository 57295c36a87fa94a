import { checkRecord } from '../bank/validate.js';
import { COLUMNS } from '../bank/columns.js';
import { BankopsError } from '../errors/index.js';
import type { RawRecord } from '../features/index.js';
import type { Lake } from '../lake/duckdb.js';
import { bankRecordOf, groupKeyOf, readCustomers } from '../lake/readers.js';
import { tableExists, tableRef } from '../lake/snapshots.js';
import { readLabelledTraffic, trafficDuplicates, type LabelledPrediction } from '../lake/traffic.js';
import { isReserved } from '../training/index.js';

export const TRAINING_SOURCES = ['customers', 'traffic'] as const;
export type TrainingSourceName = (typeof TRAINING_SOURCES)[number];

/** The tables a training set reads (tests give each run its own). */
export interface TrainingTables {
  customers: string;
  predictions: string;
  groundTruth: string;
}

/** One training row from either source, with what the splits and the record need. */
export interface TrainingRow {
  source: TrainingSourceName;
  /** record_id (customers) or prediction_id (traffic). */
  id: string;
  /** The customer: a group never straddles two parts of a split. */
  group: string;
  eventTime: number;
  label: 0 | 1;
  record: RawRecord;
  weight: number;
}

/** A table as of the snapshot a training read, and how many of its rows became training rows. */
export interface SourceSnapshot {
  table: string;
  snapshotId: string;
  rows: number;
}

export interface TrainingSetSpec {
  sources: TrainingSourceName[];
  /** Snapshot per table; the current one when not given. */
  snapshots?: { customers?: string; predictions?: string; groundTruth?: string };
  /** Sources that may hold no rows (the chain's traffic before any client called). */
  optional?: TrainingSourceName[];
  /** Incremental mode (the workshop's): only the customers added after this snapshot. */
  sinceCustomersSnapshot?: string;
  trafficWindowMs: number;
  /**
   * Labelled traffic from this time on only (epoch ms): a retraining on drift evidence learns from the
   * drifted period, not from the clients before it (bank.customers holds the history).
   */
  trafficSince?: number;
  trafficWeight: number;
  /** Share of customer groups reserved for simulation: left out of the customers source. */
  reserve: number;
}

export interface TrainingSetCounts {
  /** Customers rows of the simulation reserve. */
  reserved: number;
  /** Labelled predictions whose features fail validation. */
  invalidTraffic: number;
  /** Copies the join dropped. */
  duplicatePredictions: number;
  duplicateLabels: number;
}

export interface TrainingSet {
  rows: TrainingRow[];
  /** customers, predictions, ground_truth: as read. */
  sources: SourceSnapshot[];
  /** The snapshot read of each table, by role (what a rebuild passes back as `spec.snapshots`). */
  snapshots: { customers?: string; predictions?: string; groundTruth?: string };
  excluded: TrainingSetCounts;
  /** Labelled predictions made before this time are outside the traffic window. */
  trafficSince: string | null;
  /** The first problem of an invalid traffic row, for the log. */
  firstInvalid: string | null;
}

interface SnapshotInfo {
  id: string;
  timestamp: Date;
}

/** The named snapshot (or the current one); NOT_FOUND naming the table and the id when it is not there. */
async function snapshotOf(
  lake: Lake,
  table: string,
  wanted: string | undefined,
): Promise<SnapshotInfo | undefined> {
  const rows = await lake.all<{ id: bigint; at: Date }>(
    `SELECT snapshot_id AS id, timestamp_ms AS at FROM iceberg_snapshots(${tableRef(table)}) ORDER BY sequence_number`,
  );
  if (wanted === undefined) {
    const last = rows.at(-1);
    return last ? { id: String(last.id), timestamp: last.at } : undefined;
  }
  const found = rows.find((r) => String(r.id) === wanted);
  if (!found) {
    throw new BankopsError('NOT_FOUND', `${table} has no snapshot ${wanted}`, {
      hint: `List them with: bin/bankops lake snapshots ${table}`,
    });
  }
  return { id: wanted, timestamp: found.at };
}

function emptySource(what: string, spec: TrainingSetSpec, source: TrainingSourceName): void {
  if (spec.optional?.includes(source)) return;
  throw new BankopsError('DATA_INVALID', `${what}: nothing to train on`, {
    hint:
      source === 'traffic'
        ? 'Labelled traffic needs predictions and their outcomes in the lake (serve, send outcomes, run the lake writer), or train with --sources customers.'
        : 'Load data first: bin/bankops data load, with the lake writer running.',
  });
}

async function customerRows(lake: Lake, tables: TrainingTables, spec: TrainingSetSpec, set: TrainingSet) {
  const table = tables.customers;
  if (!(await tableExists(lake, table))) {
    if (spec.optional?.includes('customers')) return;
    throw new BankopsError('NOT_FOUND', `the lake has no ${table} table yet`, {
      hint: 'Load data (bin/bankops data load) and run the lake writer (bin/bankops lake write).',
    });
  }
  const snapshot = await snapshotOf(lake, table, spec.snapshots?.customers);
  if (!snapshot) return emptySource(`${table} has no snapshot yet`, spec, 'customers');
  const rows = await readCustomers(lake, {
    table,
    snapshotId: snapshot.id,
    ...(spec.sinceCustomersSnapshot ? { sinceSnapshotId: spec.sinceCustomersSnapshot } : {}),
  });
  let used = 0;
  for (const row of rows) {
    const group = groupKeyOf(row);
    if (isReserved(group, spec.reserve)) {
      set.excluded.reserved += 1;
      continue;
    }
    set.rows.push({
      source: 'customers',
      id: row.record_id,
      group,
      eventTime: row.event_time.getTime(),
      label: row.y === 'yes' ? 1 : 0,
      record: bankRecordOf(row),
      weight: 1,
    });
    used += 1;
  }
  if (used === 0) {
    return emptySource(`${table} holds no rows to train on at snapshot ${snapshot.id}`, spec, 'customers');
  }
  set.sources.push({ table, snapshotId: snapshot.id, rows: used });
  set.snapshots.customers = snapshot.id;
}

/** The features as served, checked like a lake record; `duration` may be absent (clients need not send it). */
export function trafficRecord(row: LabelledPrediction): { record: RawRecord } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.features_json);
  } catch {
    return { problem: 'features_json is not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { problem: 'features_json is not an object' };
  }
  const features = parsed as Record<string, unknown>;
  const y = row.outcome ? 'yes' : 'no';
  const problem = checkRecord({
    ...features,
    y,
    ...(features['duration'] === undefined ? { duration: 0 } : {}),
  });
  if (problem) return { problem: `${problem.column}: ${problem.reason}` };
  const record: Record<string, string | number> = {};
  for (const column of COLUMNS) {
    const value = column === 'y' ? y : features[column];
    if (typeof value === 'string' || typeof value === 'number') record[column] = value;
  }
  return { record };
}

async function trafficRows(
  lake: Lake,
  tables: TrainingTables,
  spec: TrainingSetSpec,
  modelName: string,
  set: TrainingSet,
) {
  const what = `${tables.predictions} ⋈ ${tables.groundTruth}`;
  if (!(await tableExists(lake, tables.predictions)) || !(await tableExists(lake, tables.groundTruth))) {
    return emptySource(`${what}: no labelled traffic yet`, spec, 'traffic');
  }
  const predictions = await snapshotOf(lake, tables.predictions, spec.snapshots?.predictions);
  const labels = await snapshotOf(lake, tables.groundTruth, spec.snapshots?.groundTruth);
  if (!predictions || !labels) return emptySource(`${what}: no labelled traffic yet`, spec, 'traffic');
  const since = new Date(
    Math.max(predictions.timestamp.getTime() - spec.trafficWindowMs, spec.trafficSince ?? -Infinity),
  );
  const query = {
    predictionsTable: tables.predictions,
    groundTruthTable: tables.groundTruth,
    predictionsSnapshot: predictions.id,
    groundTruthSnapshot: labels.id,
    modelName,
    since,
  };
  const joined = await readLabelledTraffic(lake, query);
  const copies = await trafficDuplicates(lake, query);
  set.excluded.duplicatePredictions = copies.predictions;
  set.excluded.duplicateLabels = copies.labels;
  set.trafficSince = since.toISOString();
  let used = 0;
  for (const row of joined) {
    const checked = trafficRecord(row);
    if ('problem' in checked) {
      set.excluded.invalidTraffic += 1;
      set.firstInvalid ??= `prediction ${row.prediction_id}: ${checked.problem}`;
      continue;
    }
    set.rows.push({
      source: 'traffic',
      id: row.prediction_id,
      group: row.customer_key ?? row.prediction_id,
      eventTime: row.event_time.getTime(),
      label: row.outcome ? 1 : 0,
      record: checked.record,
      weight: spec.trafficWeight,
    });
    used += 1;
  }
  if (used === 0) {
    // an optional source without rows is not a source: the record names only what gave rows
    return emptySource(
      `${what} holds no labelled predictions of ${modelName} since ${since.toISOString()} at snapshots ${predictions.id} / ${labels.id}`,
      spec,
      'traffic',
    );
  }
  set.sources.push(
    { table: tables.predictions, snapshotId: predictions.id, rows: used },
    { table: tables.groundTruth, snapshotId: labels.id, rows: used },
  );
  set.snapshots.predictions = predictions.id;
  set.snapshots.groundTruth = labels.id;
}

/**
 * The rows a model learns from: `bank.customers` at a snapshot (the simulation reserve left out) and/or
 * the labelled traffic (predictions ⋈ outcomes at a pair of snapshots, within the recency window, with the
 * features as they were served). Customers come first in event-time order, then traffic in event-time
 * order, so the same snapshots always give the same rows in the same order.
 */
export async function buildTrainingSet(
  lake: Lake,
  tables: TrainingTables,
  modelName: string,
  spec: TrainingSetSpec,
): Promise<TrainingSet> {
  if (spec.sources.length === 0) throw new BankopsError('USAGE', 'no training source named');
  const set: TrainingSet = {
    rows: [],
    sources: [],
    snapshots: {},
    excluded: { reserved: 0, invalidTraffic: 0, duplicatePredictions: 0, duplicateLabels: 0 },
    trafficSince: null,
    firstInvalid: null,
  };
  if (spec.sources.includes('customers')) await customerRows(lake, tables, spec, set);
  if (spec.sources.includes('traffic')) await trafficRows(lake, tables, spec, modelName, set);
  if (set.rows.length === 0) {
    throw new BankopsError('DATA_INVALID', `no rows to train on in ${spec.sources.join(' and ')}`, {
      hint: 'Load data first: bin/bankops data load, with the lake writer running.',
    });
  }
  return set;
}

export function parseSources(value: string): TrainingSourceName[] {
  const parts = value.split(',').map((p) => p.trim());
  const unknown = parts.find((p) => !(TRAINING_SOURCES as readonly string[]).includes(p));
  if (unknown !== undefined || parts.length === 0) {
    throw new BankopsError('USAGE', `unknown training source "${unknown ?? value}"`, {
      hint: `Sources: ${TRAINING_SOURCES.join(', ')} (comma-separated).`,
    });
  }
  return [...new Set(parts as TrainingSourceName[])];
}
