import { encodeRow, featureCount, type RawRecord } from '../../src/features/index.js';
import { withDMatrixSync } from '../../src/xgboost/index.js';
import type { ModelHandle } from '../model/handle.js';
import type { ExplainResponse } from '../schemas/explain.js';

/**
 * SHAP contributions (XGBoost's TreeSHAP, `pred_contribs`) of one record, mapped back to the raw columns:
 * a categorical column's contribution is the sum over its one-hot block. In log-odds, so
 * baseValue + Σ contributions = margin, and probability = sigmoid(margin).
 */
export function explainRecord(handle: ModelHandle, record: RawRecord): ExplainResponse {
  const { spec, booster } = handle.bundle;
  const width = featureCount(spec);
  const row = new Float32Array(width);
  encodeRow(spec, record, row);
  const shap = withDMatrixSync({ data: row, rows: 1, cols: width, native: booster.native }, (matrix) =>
    booster.contributions(matrix),
  );
  const values = shap.values;
  const contributions: ExplainResponse['contributions'] = spec.numeric.map((column, i) => ({
    feature: column,
    value: record[column] ?? null,
    contribution: values[i] as number,
  }));
  let start = spec.numeric.length;
  for (const { column, categories } of spec.categorical) {
    let sum = 0;
    for (let k = 0; k < categories.length; k += 1) sum += values[start + k] as number;
    start += categories.length;
    contributions.push({ feature: column, value: record[column] ?? null, contribution: sum });
  }
  const baseValue = values[width] as number;
  const margin = contributions.reduce((total, c) => total + c.contribution, baseValue);
  const probability = booster.predictRow(row);
  contributions.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return {
    modelVersion: handle.version.version,
    probability,
    margin,
    baseValue,
    threshold: handle.threshold,
    decision: probability >= handle.threshold,
    contributions,
  };
}
