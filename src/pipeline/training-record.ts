import { gunzipSync, gzipSync } from 'node:zlib';
import { BankopsError, errorMessage } from '../errors/index.js';
import type { MlflowClient, ModelVersion } from '../registry/index.js';
import type { HoldoutKind, SeenByChampion, TrainingParts } from '../training/index.js';
import { bundleRunId } from './bundles.js';
import type {
  SourceSnapshot,
  TrainingRow,
  TrainingSet,
  TrainingSetCounts,
  TrainingSetSpec,
  TrainingSourceName,
} from './training-set.js';

/** The run artifact that says exactly which rows a model saw, beside its `model/` bundle. */
export const TRAINING_RECORD_FILE = 'training_set.json.gz';

/** Row ids of one part, per source. */
export type PartIds = Record<TrainingSourceName, string[]>;

/**
 * What a model learned from, row by row: the sources with their snapshots, the settings that select rows
 * (so the promoter can rebuild the same set), every part's row ids and the customers it saw. The champion's
 * record bounds what it saw: a holdout must avoid its rows and its customers.
 */
export interface TrainingRecord {
  kind: 'bankops.training-set';
  format: 1;
  createdAt: string;
  /** Everything `buildTrainingSet` needs to read the same rows again. */
  spec: Omit<TrainingSetSpec, 'optional'>;
  sources: SourceSnapshot[];
  excluded: TrainingSetCounts;
  trafficSince: string | null;
  holdout: {
    kind: HoldoutKind;
    description: string;
    rows: number;
    positives: number;
    /** Holdout rows that are labelled traffic. */
    traffic: number;
    /** The champion whose unseen rows the holdout was drawn from. */
    champion: string | null;
  };
  parts: Record<keyof TrainingParts, PartIds>;
  /** The customers of the fit and validation parts. */
  seenGroups: string[];
}

function idsBySource(rows: readonly TrainingRow[], part: readonly number[]): PartIds {
  const out: PartIds = { customers: [], traffic: [] };
  for (const i of part) {
    const row = rows[i] as TrainingRow;
    out[row.source].push(row.id);
  }
  return out;
}

export function trainingRecord(
  set: TrainingSet,
  spec: TrainingSetSpec,
  parts: TrainingParts,
  holdout: { kind: HoldoutKind; description: string; champion: string | null },
): TrainingRecord {
  const rest: Omit<TrainingSetSpec, 'optional'> = {
    sources: spec.sources,
    trafficWindowMs: spec.trafficWindowMs,
    trafficWeight: spec.trafficWeight,
    reserve: spec.reserve,
    ...(spec.sinceCustomersSnapshot ? { sinceCustomersSnapshot: spec.sinceCustomersSnapshot } : {}),
    ...(spec.trafficSince !== undefined ? { trafficSince: spec.trafficSince } : {}),
  };
  const test = parts.test.map((i) => set.rows[i] as TrainingRow);
  const seen = new Set<string>();
  for (const i of [...parts.fit, ...parts.validation]) seen.add((set.rows[i] as TrainingRow).group);
  return {
    kind: 'bankops.training-set',
    format: 1,
    createdAt: new Date().toISOString(),
    // the snapshots actually read, so that a rebuild reads the same rows even if the tables moved on
    spec: {
      ...rest,
      // the sources that gave rows (an optional, empty one is not read again)
      sources: spec.sources.filter((source) =>
        source === 'customers'
          ? set.snapshots.customers !== undefined
          : set.snapshots.predictions !== undefined,
      ),
      snapshots: { ...set.snapshots },
    },
    sources: set.sources,
    excluded: set.excluded,
    trafficSince: set.trafficSince,
    holdout: {
      ...holdout,
      rows: test.length,
      positives: test.filter((r) => r.label === 1).length,
      traffic: test.filter((r) => r.source === 'traffic').length,
    },
    parts: {
      fit: idsBySource(set.rows, parts.fit),
      validation: idsBySource(set.rows, parts.validation),
      test: idsBySource(set.rows, parts.test),
      leftOut: idsBySource(set.rows, parts.leftOut),
    },
    seenGroups: [...seen],
  };
}

export async function uploadTrainingRecord(
  mlflow: MlflowClient,
  runId: string,
  record: TrainingRecord,
): Promise<void> {
  await mlflow.uploadArtifact(
    runId,
    TRAINING_RECORD_FILE,
    gzipSync(Buffer.from(JSON.stringify(record))),
    'application/gzip',
  );
}

/** A version's training-set record, or undefined for a version registered without one. */
export async function readTrainingRecord(
  mlflow: MlflowClient,
  version: ModelVersion,
): Promise<TrainingRecord | undefined> {
  const runId = bundleRunId(version);
  const files = await mlflow.listArtifacts(runId);
  if (!files.some((f) => f.path === TRAINING_RECORD_FILE)) return undefined;
  const bytes = await mlflow.downloadArtifact(runId, TRAINING_RECORD_FILE);
  try {
    const record = JSON.parse(gunzipSync(bytes).toString('utf8')) as TrainingRecord;
    if (record.kind !== 'bankops.training-set' || record.format !== 1) throw new Error(`kind ${record.kind}`);
    return record;
  } catch (error) {
    throw new BankopsError(
      'DATA_INVALID',
      `the training-set record of ${version.name} v${version.version} is unreadable: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

const allIds = (parts: PartIds): string[] => [...parts.customers, ...parts.traffic];

/** What the record says its model saw, for planning and checking a holdout against it. */
export function seenBy(version: string, record: TrainingRecord): SeenByChampion {
  const { fit, validation, test, leftOut } = record.parts;
  return {
    version,
    ids: new Set([fit, validation, test, leftOut].flatMap(allIds)),
    testIds: new Set(allIds(test)),
    seenGroups: new Set(record.seenGroups),
    parts: {
      fit: new Set(allIds(fit)),
      validation: new Set(allIds(validation)),
      test: new Set(allIds(test)),
      leftOut: new Set(allIds(leftOut)),
    },
  };
}

/** Every row id of a part, whatever its source. */
export function partIds(record: TrainingRecord, part: keyof TrainingParts): Set<string> {
  return new Set(allIds(record.parts[part]));
}
