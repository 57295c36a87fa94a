/** Feature screening from per-bucket counts (the SQL groups; these run over a few dozen rows). */

export interface BucketCounts {
  bucket: string;
  /** Rows with y = yes. */
  positives: number;
  /** Rows with y = no. */
  negatives: number;
}

/** Added to every cell so an empty bucket keeps a finite weight of evidence (a common convention). */
const SMOOTHING = 0.5;

/**
 * Information value: Σ (share of positives − share of negatives) × ln(share of positives / share of
 * negatives) over the buckets — the weight-of-evidence screening used in credit scoring.
 */
export function informationValue(buckets: BucketCounts[]): number {
  const pos = buckets.reduce((s, b) => s + b.positives + SMOOTHING, 0);
  const neg = buckets.reduce((s, b) => s + b.negatives + SMOOTHING, 0);
  if (pos === 0 || neg === 0) return 0;
  let iv = 0;
  for (const b of buckets) {
    const p = (b.positives + SMOOTHING) / pos;
    const n = (b.negatives + SMOOTHING) / neg;
    iv += (p - n) * Math.log(p / n);
  }
  return iv;
}

/** Mutual information between the bucket and y, in bits (plug-in estimate from the counts). */
export function mutualInformation(buckets: BucketCounts[]): number {
  const total = buckets.reduce((s, b) => s + b.positives + b.negatives, 0);
  if (total === 0) return 0;
  const pos = buckets.reduce((s, b) => s + b.positives, 0) / total;
  const marginals = [pos, 1 - pos];
  let mi = 0;
  for (const b of buckets) {
    const px = (b.positives + b.negatives) / total;
    [b.positives, b.negatives].forEach((count, i) => {
      const pxy = count / total;
      const py = marginals[i] ?? 0;
      if (pxy > 0 && px > 0 && py > 0) mi += pxy * Math.log2(pxy / (px * py));
    });
  }
  return mi;
}

/** Siddiqi's usual reading of information value. */
export function ivStrength(iv: number): string {
  if (iv < 0.02) return 'not predictive (< 0.02)';
  if (iv < 0.1) return 'weak (0.02–0.1)';
  if (iv < 0.3) return 'medium (0.1–0.3)';
  if (iv < 0.5) return 'strong (0.3–0.5)';
  return 'suspiciously strong (≥ 0.5)';
}
