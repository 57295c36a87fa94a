import { BankopsError } from '../errors/index.js';

/**
 * Feature importance read from the model's JSON (XGBoosterFeatureScore is not bound in src/xgboost, and
 * the JSON already holds what it computes): every split node's `loss_changes` entry is the gain of that
 * split. `gain` is total gain / splits, the definition of XGBoost's importance_type "gain"; `totalGain`
 * and `weight` (number of splits) are its "total_gain" and "weight"; `cover` is the mean hessian sum.
 */
export interface FeatureImportance {
  feature: string;
  gain: number;
  totalGain: number;
  weight: number;
  cover: number;
}

interface JsonTree {
  left_children: number[];
  loss_changes: number[];
  split_indices: number[];
  sum_hessian: number[];
}

function treesOf(model: unknown): JsonTree[] {
  const trees = (model as { learner?: { gradient_booster?: { model?: { trees?: unknown } } } })?.learner
    ?.gradient_booster?.model?.trees;
  if (!Array.isArray(trees)) {
    throw new BankopsError('DATA_INVALID', 'model JSON has no learner.gradient_booster.model.trees', {
      hint: 'Importance needs a gbtree model saved as JSON.',
    });
  }
  return trees as JsonTree[];
}

/** Importance of each named feature that the model splits on, highest gain first. */
export function importanceFromModelJson(
  json: Uint8Array | string,
  names: readonly string[],
): FeatureImportance[] {
  const text = typeof json === 'string' ? json : Buffer.from(json).toString('utf8');
  const sums = new Map<number, { total: number; splits: number; cover: number }>();
  for (const tree of treesOf(JSON.parse(text))) {
    for (let node = 0; node < tree.left_children.length; node += 1) {
      if (tree.left_children[node] === -1) continue; // a leaf
      const feature = tree.split_indices[node] as number;
      const entry = sums.get(feature) ?? { total: 0, splits: 0, cover: 0 };
      entry.total += tree.loss_changes[node] ?? 0;
      entry.cover += tree.sum_hessian[node] ?? 0;
      entry.splits += 1;
      sums.set(feature, entry);
    }
  }
  return [...sums.entries()]
    .map(([index, { total, splits, cover }]) => ({
      feature: names[index] ?? `f${index}`,
      gain: total / splits,
      totalGain: total,
      weight: splits,
      cover: cover / splits,
    }))
    .sort((a, b) => b.gain - a.gain);
}
