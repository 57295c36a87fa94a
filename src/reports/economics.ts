/**
 * The campaign's money and the models' calibration, from the labelled traffic in the lake (predictions ⋈
 * outcomes, one row per prediction): per version and variant, what calling cost and earned per 1,000
 * customers against what the scores promised, the reliability of the scores, and the profit the champion's
 * scores would have made at every threshold.
 */
import type { Config } from '../config/index.js';
import type { Lake } from '../lake/duckdb.js';
import { currentSnapshotId, tableExists } from '../lake/snapshots.js';
import { readLabelledTraffic } from '../lake/traffic.js';
import {
  brier,
  confusionAt,
  expectedCalibrationError,
  expectedProfitPer1000,
  profit,
  reliability,
  type ReliabilityBin,
} from '../training/index.js';

export interface VersionEconomics {
  version: string;
  variant: string;
  labelled: number;
  calls: number;
  subscribed: number;
  realizedPer1000: number;
  expectedPer1000: number;
  /** The same per 1,000 calls made (the campaign's own unit): NaN without a call. */
  realizedPer1000Calls: number;
  expectedPer1000Calls: number;
  ece: number;
  brier: number;
  reliability: ReliabilityBin[];
}

export interface CampaignEconomics {
  versions: VersionEconomics[];
  /** Realized profit per 1,000 at each threshold, for the version with the most labelled traffic. */
  curve: { version: string; points: Array<{ threshold: number; per1000: number }> } | undefined;
}

export async function campaignEconomics(
  lake: Lake,
  config: Config,
  model: string,
  tables = { predictions: 'bank.predictions', groundTruth: 'bank.ground_truth' },
): Promise<CampaignEconomics | undefined> {
  if (!(await tableExists(lake, tables.predictions)) || !(await tableExists(lake, tables.groundTruth)))
    return undefined;
  const [p, g] = await Promise.all([
    currentSnapshotId(lake, tables.predictions),
    currentSnapshotId(lake, tables.groundTruth),
  ]);
  if (!p || !g) return undefined;
  const rows = await readLabelledTraffic(lake, {
    predictionsTable: tables.predictions,
    groundTruthTable: tables.groundTruth,
    predictionsSnapshot: p,
    groundTruthSnapshot: g,
    modelName: model,
  });
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.model_version}\u0000${row.variant}`;
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  const economics = config.economics;
  const versions: VersionEconomics[] = [];
  for (const list of groups.values()) {
    const first = list[0];
    if (!first) continue;
    const labels = list.map((r) => (r.outcome ? 1 : 0));
    const scores = list.map((r) => r.probability);
    const called = list.map((r) => r.decision);
    const confusion = confusionAt(
      labels,
      called.map((c) => (c ? 1 : 0)),
      0.5,
    );
    versions.push({
      version: first.model_version,
      variant: first.variant,
      labelled: list.length,
      calls: confusion.tp + confusion.fp,
      subscribed: confusion.tp + confusion.fn,
      realizedPer1000: (profit(confusion, economics) / list.length) * 1000,
      expectedPer1000: expectedProfitPer1000(scores, called, economics),
      realizedPer1000Calls: (profit(confusion, economics) / (confusion.tp + confusion.fp)) * 1000,
      expectedPer1000Calls:
        (expectedProfitPer1000(scores, called, economics) * list.length) / (confusion.tp + confusion.fp),
      ece: expectedCalibrationError(labels, scores),
      brier: brier(labels, scores),
      reliability: reliability(labels, scores),
    });
  }
  versions.sort((a, b) => Number(a.version) - Number(b.version) || a.variant.localeCompare(b.variant));
  const most = [...versions].sort((a, b) => b.labelled - a.labelled)[0];
  let curve: CampaignEconomics['curve'];
  if (most) {
    const list = groups.get(`${most.version}\u0000${most.variant}`) ?? [];
    const labels = list.map((r) => (r.outcome ? 1 : 0));
    const scores = list.map((r) => r.probability);
    const points = Array.from({ length: 49 }, (_, k) => (k + 1) / 50).map((threshold) => ({
      threshold,
      per1000: (profit(confusionAt(labels, scores, threshold), economics) / list.length) * 1000,
    }));
    curve = { version: most.version, points };
  }
  return { versions, curve };
}
