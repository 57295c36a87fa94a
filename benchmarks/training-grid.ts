/**
 * The workshop's full grid (18 candidates, 100 rounds, early stopping after 10) on the bundled table,
 * without and with `duration`. Prints wall time, the share of it spent outside XGBoost and the best test
 * scores. Run: `npx tsx benchmarks/training-grid.ts [--limit N] [--nthread N]`.
 */
import { parseArgs } from 'node:util';
import { loadBundledBank } from '../src/training/data.js';
import { trainCandidates } from '../src/training/train.js';
import type { CandidateResult, TrainingResult } from '../src/training/train.js';

const { values } = parseArgs({
  options: { limit: { type: 'string' }, nthread: { type: 'string', default: '2' } },
});
const gridLimit = values.limit === undefined ? undefined : Number(values.limit);
const nthread = Number(values.nthread);

const fmt = (x: number, digits = 4): string => x.toFixed(digits);
const max = (result: TrainingResult, pick: (c: CandidateResult) => number): number =>
  Math.max(...result.candidates.map(pick));

const loadStart = performance.now();
const { records, labels } = await loadBundledBank();
console.log(`loaded ${records.length} rows in ${fmt(performance.now() - loadStart, 0)} ms`);

for (const includeDuration of [false, true]) {
  const result = trainCandidates({
    rows: records,
    labels,
    options: { includeDuration, gridLimit, nthread },
    onCandidate: (c, { done, total }) => {
      const { maxDepth, learningRate, alpha } = c.candidate;
      console.log(
        `  [${done}/${total}] depth ${maxDepth} eta ${learningRate} alpha ${alpha}: best iter ${c.bestIteration}` +
          ` test auc ${fmt(c.metrics.test.rocAuc)} ap ${fmt(c.metrics.test.prAuc)} f1 ${fmt(c.metrics.test.f1)}` +
          ` (${fmt(c.timings.totalMs, 0)} ms, ${fmt(c.timings.xgboostMs, 0)} in XGBoost)`,
      );
    },
  });
  const best = result.candidates[result.bestIndex] as CandidateResult;
  const { totalMs, outsideMs } = result.timings;
  console.log(
    [
      `duration ${includeDuration ? 'included' : 'excluded'}: ${result.candidates.length} candidates,` +
        ` split ${JSON.stringify(result.split.sizes)}, ${result.spec.numeric.length} numeric + one-hot = ` +
        `${best.importance.length} split on, XGBoost ${result.xgboostVersion}, nthread ${nthread}`,
      `  wall ${fmt(totalMs / 1000, 2)} s, outside XGBoost ${fmt(outsideMs / 1000, 2)} s (${fmt((100 * outsideMs) / totalMs, 1)} %)`,
      `  best over the grid on test: ROC-AUC ${fmt(max(result, (c) => c.metrics.test.rocAuc))}` +
        ` PR-AUC ${fmt(max(result, (c) => c.metrics.test.prAuc))} F1 ${fmt(max(result, (c) => c.metrics.test.f1))}`,
      `  selected on validation PR-AUC: grid position ${best.candidate.index} (0-based) → test ROC-AUC ${fmt(best.metrics.test.rocAuc)}` +
        ` PR-AUC ${fmt(best.metrics.test.prAuc)} F1 ${fmt(best.metrics.test.f1)} at threshold` +
        ` ${fmt(best.threshold.threshold)} (profit/1000 customers ${fmt(best.metrics.test.profitPer1000, 0)} EUR)`,
    ].join('\n'),
  );
}
