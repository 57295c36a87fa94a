/**
 * Isotonic calibration (pool-adjacent-violators): a non-decreasing map from a model's score to the
 * observed positive rate, fitted on validation rows at training and stored in the bundle. CBPE assumes
 * calibrated probabilities; NannyML calibrates on the reference first, and so does the monitor with this
 * map. Between blocks the map interpolates linearly; outside them it holds the end values.
 */
export interface CalibrationMap {
  kind: 'isotonic';
  /** Block centres (mean score of each pooled block), ascending. */
  x: number[];
  /** Observed positive rate of each block, non-decreasing. */
  y: number[];
  rows: number;
}

export function fitIsotonic(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): CalibrationMap | undefined {
  const n = scores.length;
  if (n === 0 || labels.length !== n) return undefined;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  // blocks: [sum of labels, sum of scores, count]; merge while a block's rate is below its predecessor's
  const sumY: number[] = [];
  const sumX: number[] = [];
  const count: number[] = [];
  for (const i of order) {
    sumY.push(labels[i] === 1 ? 1 : 0);
    sumX.push(scores[i] as number);
    count.push(1);
    while (sumY.length > 1) {
      const k = sumY.length - 1;
      if ((sumY[k - 1] as number) / (count[k - 1] as number) <= (sumY[k] as number) / (count[k] as number))
        break;
      sumY[k - 1] = (sumY[k - 1] as number) + (sumY.pop() as number);
      sumX[k - 1] = (sumX[k - 1] as number) + (sumX.pop() as number);
      count[k - 1] = (count[k - 1] as number) + (count.pop() as number);
    }
  }
  return {
    kind: 'isotonic',
    x: sumX.map((s, k) => s / (count[k] as number)),
    y: sumY.map((s, k) => s / (count[k] as number)),
    rows: n,
  };
}

/** The calibrated probability of a score (the identity without a map). */
export function calibrate(map: CalibrationMap | undefined, score: number): number {
  if (map === undefined || map.x.length === 0) return score;
  const { x, y } = map;
  if (score <= (x[0] as number)) return y[0] as number;
  const last = x.length - 1;
  if (score >= (x[last] as number)) return y[last] as number;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((x[mid] as number) <= score) lo = mid;
    else hi = mid;
  }
  const [x0, x1, y0, y1] = [x[lo] as number, x[hi] as number, y[lo] as number, y[hi] as number];
  return x1 === x0 ? y1 : y0 + ((score - x0) / (x1 - x0)) * (y1 - y0);
}
