/**
 * The smallest ROC-AUC difference a rollout detects at 80 % power with the default settings (300 labels
 * per arm, 1,000 bootstrap replicates, 95 %, margin 0), by simulation: scores from a binormal model
 * (negatives N(0, 1), positives N(d, 1), AUC = Φ(d/√2)) at the concept scenario's subscription rate, the
 * champion at the ROC-AUC the pre-drift model had on drifted clients. Pure: no services.
 * Run: `npx tsx benchmarks/rollout-power.ts [--sims 200] [--labels 300]`.
 */
import { parseArgs } from 'node:util';
import { mulberry32, pairedBootstrap, twoSampleBootstrap } from '../src/training/index.js';

const { values } = parseArgs({
  options: {
    sims: { type: 'string', default: '200' },
    labels: { type: 'string', default: '300' },
    champion: { type: 'string', default: '0.71' },
    rate: { type: 'string', default: '0.2' },
  },
});
const SIMS = Number(values.sims);
const N = Number(values.labels);
const CHAMPION = Number(values.champion);
const RATE = Number(values.rate);

/** Inverse of the standard normal CDF (Acklam's rational approximation; |error| < 1.2e-9). */
function probit(p: number): number {
  const a = [
    -39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472,
    2.50662827745924,
  ];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [
    -0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497,
    2.93816398269878,
  ];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const lo = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((acc, v) => acc * x + v, 0);
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - lo) return -probit(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Separation d of the binormal model for a target AUC. */
const separation = (auc: number) => Math.SQRT2 * probit(auc);

function arm(random: () => number, auc: number) {
  const d = separation(auc);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < N; i += 1) {
    const positive = random() < RATE;
    labels.push(positive ? 1 : 0);
    scores.push(gaussian(random) + (positive ? d : 0));
  }
  return { labels, scores, threshold: 0 };
}

/** Shadow: the same customers scored by both models, the scores correlated (ρ ≈ 0.7). */
function pairs(random: () => number, championAuc: number, candidateAuc: number) {
  const [d0, d1] = [separation(championAuc), separation(candidateAuc)];
  const labels: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < N; i += 1) {
    const positive = random() < RATE;
    const shared = gaussian(random);
    labels.push(positive ? 1 : 0);
    a.push(0.84 * shared + 0.55 * gaussian(random) + (positive ? d0 : 0));
    b.push(0.84 * shared + 0.55 * gaussian(random) + (positive ? d1 : 0));
  }
  return { labels, champion: { scores: a, threshold: 0 }, candidate: { scores: b, threshold: 0 } };
}

const started = performance.now();
console.log(
  `${SIMS} simulations per difference, ${N} labels per arm, ${Math.round(RATE * 100)} % positive, champion ROC-AUC ${CHAMPION}`,
);
console.log('difference  canary power  shadow power');
let canary80: number | undefined;
let shadow80: number | undefined;
for (const delta of [0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15]) {
  let canaryHits = 0;
  let shadowHits = 0;
  for (let s = 0; s < SIMS; s += 1) {
    const random = mulberry32(1_000 * s + Math.round(delta * 1_000));
    const two = twoSampleBootstrap({
      candidate: arm(random, CHAMPION + delta),
      champion: arm(random, CHAMPION),
      metric: 'roc_auc',
      seed: s,
    });
    if (two.low > 0) canaryHits += 1;
    const paired = pairedBootstrap({
      ...pairs(random, CHAMPION, CHAMPION + delta),
      metric: 'roc_auc',
      seed: s,
    });
    if (paired.low > 0) shadowHits += 1;
  }
  const [cp, sp] = [canaryHits / SIMS, shadowHits / SIMS];
  if (canary80 === undefined && cp >= 0.8) canary80 = delta;
  if (shadow80 === undefined && sp >= 0.8) shadow80 = delta;
  console.log(
    `${delta.toFixed(2).padStart(10)}  ${(cp * 100).toFixed(0).padStart(11)} %  ${(sp * 100).toFixed(0).padStart(11)} %`,
  );
}
console.log(
  `smallest difference detected at 80 % power: canary ${canary80 ?? '> 0.15'}, shadow ${shadow80 ?? '> 0.15'} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
);
