/**
 * Throughput of the monitoring core on synthetic traffic: 100,000 predictions (two variants, 50 per
 * second of event time) each followed by its label 30–90 s later, interleaved in event-time order as the
 * topics deliver them. Measures join + windows alone, then the whole Monitor (drift sampling included),
 * and one snapshot. Prints numbers; asserts nothing.  Run: npx tsx benchmarks/monitoring-throughput.ts
 */
import { performance } from 'node:perf_hooks';
import { JoinState } from '../src/monitoring/join.js';
import { Monitor } from '../src/monitoring/monitor.js';
import { PerformanceWindows } from '../src/monitoring/windows.js';
import { synthesize } from '../producers/synthetic.js';
import { modelReferenceFromBundle } from '../src/monitoring/monitor.js';
import type { BundleMeta } from '../src/training/bundle.js';
import { loadBundledBank } from '../src/training/data.js';
import { featureReference, predictionReference } from '../src/training/reference.js';
import { mulberry32 } from '../src/training/split.js';

const N = 100_000;
const random = mulberry32(42);

interface Event {
  time: number;
  kind: 'prediction' | 'label';
  index: number;
}

const probabilities = Float64Array.from({ length: N }, () => random() ** 2);
const outcomes = Uint8Array.from(probabilities, (p) => (random() < p ? 1 : 0));
const times = Float64Array.from({ length: N }, (_, i) => 1_700_000_000_000 + i * 20);
const events: Event[] = [];
for (let i = 0; i < N; i += 1) {
  events.push({ time: times[i] as number, kind: 'prediction', index: i });
  events.push({
    time: (times[i] as number) + 30_000 + Math.floor(random() * 60_000),
    kind: 'label',
    index: i,
  });
}
events.sort((a, b) => a.time - b.time);
const { records } = await loadBundledBank();
const features = synthesize(records, { rows: 1000, seed: 1, scenario: 'none' }).map((r) => JSON.stringify(r));
const meta = {
  reference: { features: featureReference(records), predictions: predictionReference(probabilities) },
  metrics: { test: { accuracy: 0.88, f1: 0.47 } },
  economics: { costPerCall: 5, valuePerSubscription: 100 },
} as unknown as Pick<BundleMeta, 'reference' | 'metrics' | 'economics'>;

function prediction(i: number) {
  return {
    predictionId: `p-${i}`,
    eventTime: times[i] as number,
    modelVersion: '7',
    variant: i % 10 === 0 ? 'challenger' : 'champion',
    probability: probabilities[i] as number,
    decision: (probabilities[i] as number) >= 0.3,
  };
}

function joinAndWindows(): number {
  const join = new JoinState({ horizonMs: 3_600_000 });
  const windows = new PerformanceWindows({ retentionMs: 3_600_000 });
  const start = performance.now();
  for (const e of events) {
    if (e.kind === 'prediction') {
      const p = prediction(e.index);
      const outcome = join.addPrediction(p);
      windows.addPrediction(p);
      for (const j of outcome.joined) windows.addLabelled(j);
    } else {
      const outcome = join.addLabel({
        predictionId: `p-${e.index}`,
        eventTime: e.time,
        outcome: outcomes[e.index] === 1,
      });
      for (const j of outcome.joined) windows.addLabelled(j);
    }
  }
  const elapsed = performance.now() - start;
  if (join.stats().joined !== N) throw new Error(`joined ${join.stats().joined} of ${N}`);
  windows.report();
  return elapsed;
}

function fullMonitor(): { ingest: number; snapshot: number } {
  const monitor = new Monitor({ join: { horizonMs: 3_600_000 } });
  monitor.setReference(modelReferenceFromBundle('7', meta));
  const start = performance.now();
  for (const e of events) {
    if (e.kind === 'prediction') {
      const p = prediction(e.index);
      monitor.ingestPrediction({
        prediction_id: p.predictionId,
        event_time: p.eventTime,
        model_name: 'bank-marketing',
        model_version: p.modelVersion,
        variant: p.variant,
        customer_key: null,
        features_json: features[e.index % features.length] as string,
        probability: p.probability,
        decision: p.decision,
        threshold: 0.3,
        latency_ms: 2,
        route: '/predict',
        shadow_of: null,
      });
    } else {
      monitor.ingestGroundTruth({
        prediction_id: `p-${e.index}`,
        event_time: e.time,
        outcome: outcomes[e.index] === 1,
        source: 'bench',
      });
    }
  }
  const ingest = performance.now() - start;
  const t = performance.now();
  monitor.snapshot();
  return { ingest, snapshot: performance.now() - t };
}

joinAndWindows(); // warm-up
const runs = [joinAndWindows(), joinAndWindows(), joinAndWindows()].sort((a, b) => a - b);
const median = runs[1] as number;
const full = fullMonitor();
const rate = (ms: number): string => Math.round((N / ms) * 1000).toLocaleString('en');
process.stdout.write(
  [
    `join + windows: ${N.toLocaleString('en')} predictions + ${N.toLocaleString('en')} labels in ${median.toFixed(0)} ms (median of 3) → ${rate(median)} predictions/s`,
    `full Monitor ingest (drift sampling included): ${full.ingest.toFixed(0)} ms → ${rate(full.ingest)} predictions/s`,
    `one snapshot (3 tumbling sizes + last-N and drift of 16 features + prediction over 1000 records, 2 keys): ${full.snapshot.toFixed(1)} ms`,
    `heap used: ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`,
  ].join('\n') + '\n',
);
