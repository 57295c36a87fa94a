import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { createPipelineContext } from '../../pipeline/context.js';
import { lineage, type Lineage } from '../../pipeline/lineage.js';
import { printJson, println } from '../output.js';

/** The lineage as lines a person reads top to bottom: answer → outcome → model → run → data. */
export function lineageLines(l: Lineage): string[] {
  const p = l.prediction;
  const lines = [
    `prediction ${p.predictionId}`,
    `  ${p.time}  ${p.modelName} v${p.modelVersion} (${p.variant}) on ${p.route}: probability ${p.probability.toFixed(4)}, ${p.decision ? 'call' : 'do not call'} (threshold ${p.threshold.toFixed(4)})`,
    `  customer ${p.customerKey ?? '(no key)'}; ${p.table} ← ${p.kafka.topic}[${p.kafka.partition}]@${p.kafka.offset}`,
    `  features ${JSON.stringify(p.features)}`,
    l.groundTruth
      ? `ground truth: ${l.groundTruth.outcome ? 'subscribed' : 'did not subscribe'} at ${l.groundTruth.time} (${l.groundTruth.source}); ${l.groundTruth.table} ← ${l.groundTruth.kafka.topic}[${l.groundTruth.kafka.partition}]@${l.groundTruth.kafka.offset}`
      : 'ground truth: none yet',
    `model ${l.model.name} v${l.model.version}${l.model.aliases.length ? ` (${l.model.aliases.join(', ')})` : ''}, registered ${l.model.createdAt ?? '?'}`,
  ];
  if (l.model.decision) lines.push(`  gate: ${l.model.decision}`);
  lines.push(
    `run ${l.run.runId} "${l.run.name ?? ''}" (parent ${l.run.parentRunId ?? '-'}), trigger ${l.run.trigger ?? '?'}, commit ${l.run.gitCommit?.slice(0, 12) ?? '?'}`,
    `  ${l.run.url}`,
    `trained on ${l.training.rows ?? '?'} rows:`,
  );
  for (const s of l.training.sources) {
    const batches = s.batches.length
      ? `; batches ${s.batches.map((b) => `${b.batchId} (${b.rows})`).join(', ')}`
      : '';
    lines.push(
      `  ${s.table} @ ${s.snapshotId} (${s.rows} rows${s.exists ? `, committed ${s.committedAt}` : ', SNAPSHOT NOT IN THE CATALOG'})${batches}`,
    );
  }
  if (l.training.holdout) {
    const h = l.training.holdout;
    lines.push(
      `  holdout: ${h.rows} rows (${h.positives} subscribed, ${h.traffic} from traffic): ${h.description}`,
    );
  }
  return lines;
}

export function registerLineage(program: Command): void {
  program
    .command('lineage <prediction-id>')
    .description(
      'follow one prediction back to its data: the answer, its outcome, the model version and its MLflow run, and the snapshots and batches it learned from',
    )
    .option('--json', 'print JSON (keys prediction, groundTruth, model, run, training)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const ctx = createPipelineContext(getConfig(), 'lineage');
      try {
        const found = await lineage(ctx, id);
        if (opts.json) printJson(found);
        else for (const line of lineageLines(found)) println(line);
      } finally {
        await ctx.close();
      }
    });
}
