import { BankopsError } from '../errors/index.js';
import type { Economics } from '../training/metrics.js';
import { DEFAULT_ECONOMICS } from '../training/metrics.js';
import type { ExpectedConfusion } from './estimate.js';
import { accumulate, emptyExpectedConfusion } from './estimate.js';
import type { JoinPrediction, LabelledPrediction } from './join.js';
import type { WindowReport } from './window-metrics.js';
import { LabelledSample, windowReport } from './window-metrics.js';

/**
 * Performance per (model version, variant) over
 * (a) tumbling windows on the prediction's event time (e.g. 1 min, 5 min, 1 h): a label lands in the
 *     window of its prediction, however late it comes, as long as that window is still retained; and
 * (b) the last N labelled predictions (in order of labelling).
 * Predictions without labels feed the coverage, positive rate and the CBPE estimate of their window.
 */

export interface TumblingWindow {
  /** The `window` label value, e.g. "5m". */
  name: string;
  ms: number;
}

export interface WindowOptions {
  tumbling: TumblingWindow[];
  /** Size of the count window, reported as window="last_<N>". */
  lastN: number;
  /** Fewer labels (or a single class) → the window is `insufficient` and carries no quality metrics. */
  minLabels: number;
  /** Fewer unlabelled predictions → no CBPE estimate. */
  minForEstimate: number;
  /** How long closed windows are kept for late labels (match the join horizon). */
  retentionMs: number;
  /** Hard cap on retained windows per size and key, whatever the clock says. */
  maxWindows: number;
  economics: (modelVersion: string) => Economics;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = {
  tumbling: [
    { name: '1m', ms: 60_000 },
    { name: '5m', ms: 300_000 },
    { name: '1h', ms: 3_600_000 },
  ],
  lastN: 1000,
  minLabels: 100,
  minForEstimate: 100,
  retentionMs: 24 * 3600_000,
  maxWindows: 2000,
  economics: () => DEFAULT_ECONOMICS,
};

interface Bucket {
  start: number;
  predictions: number;
  called: number;
  labelled: LabelledSample;
  /** CBPE sums over the bucket's predictions that have no label yet. */
  unlabelled: ExpectedConfusion;
}

interface KeyState {
  modelVersion: string;
  variant: string;
  /** Per tumbling size: start → bucket (insertion order ≈ time order). */
  buckets: Array<Map<number, Bucket>>;
  recent: LabelledSample;
  recentEventTimes: Float64Array;
}

export class PerformanceWindows {
  readonly options: WindowOptions;
  private watermark = -Infinity;
  private readonly keys = new Map<string, KeyState>();
  /** Labels whose window had already been dropped (they still count in the last-N window). */
  lateLabels = 0;

  constructor(options: Partial<WindowOptions> = {}) {
    this.options = { ...DEFAULT_WINDOW_OPTIONS, ...options };
    const { tumbling, lastN, minLabels } = this.options;
    if (tumbling.some((w) => !(w.ms > 0) || !w.name) || !(lastN > 0) || !(minLabels > 0)) {
      throw new BankopsError(
        'USAGE',
        'window options need named positive sizes, lastN > 0 and minLabels > 0',
        {
          hint: 'e.g. { tumbling: [{ name: "5m", ms: 300000 }], lastN: 1000, minLabels: 100 }',
        },
      );
    }
  }

  private state(modelVersion: string, variant: string): KeyState {
    const key = `${modelVersion}\u0000${variant}`;
    let state = this.keys.get(key);
    if (state === undefined) {
      const n = this.options.lastN;
      state = {
        modelVersion,
        variant,
        buckets: this.options.tumbling.map(() => new Map()),
        recent: new LabelledSample(n),
        recentEventTimes: new Float64Array(n),
      };
      this.keys.set(key, state);
    }
    return state;
  }

  addPrediction(p: JoinPrediction): void {
    if (p.eventTime > this.watermark) this.watermark = p.eventTime;
    const state = this.state(p.modelVersion, p.variant);
    const oldest = this.watermark - this.options.retentionMs;
    this.options.tumbling.forEach((window, i) => {
      const start = Math.floor(p.eventTime / window.ms) * window.ms;
      if (start + window.ms <= oldest) return; // already out of retention
      const buckets = state.buckets[i] as Map<number, Bucket>;
      let bucket = buckets.get(start);
      if (bucket === undefined) {
        bucket = {
          start,
          predictions: 0,
          called: 0,
          labelled: new LabelledSample(),
          unlabelled: emptyExpectedConfusion(),
        };
        buckets.set(start, bucket);
        this.prune(buckets, window.ms);
      }
      bucket.predictions += 1;
      if (p.decision) bucket.called += 1;
      accumulate(bucket.unlabelled, p.estimateProbability ?? p.probability, p.decision);
    });
  }

  addLabelled(lp: LabelledPrediction): void {
    const state = this.state(lp.modelVersion, lp.variant);
    let landed = false;
    this.options.tumbling.forEach((window, i) => {
      const start = Math.floor(lp.eventTime / window.ms) * window.ms;
      const bucket = state.buckets[i]?.get(start);
      if (bucket === undefined) return;
      landed = true;
      bucket.labelled.push(lp.probability, lp.outcome, lp.decision);
      accumulate(bucket.unlabelled, lp.estimateProbability ?? lp.probability, lp.decision, -1);
    });
    if (!landed && this.options.tumbling.length > 0) this.lateLabels += 1;
    const slot = state.recent.push(lp.probability, lp.outcome, lp.decision);
    state.recentEventTimes[slot] = lp.eventTime;
  }

  private prune(buckets: Map<number, Bucket>, ms: number): void {
    const oldest = this.watermark - this.options.retentionMs;
    for (const [start] of buckets) {
      if (buckets.size <= this.options.maxWindows && start + ms > oldest) break;
      buckets.delete(start);
    }
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  /**
   * One report per key and tumbling size for the latest CLOSED window (end ≤ `asOf`, default the
   * watermark), skipped when the key had no predictions in it, and one for the last-N window.
   */
  report(asOf: number = this.watermark): WindowReport[] {
    const reports: WindowReport[] = [];
    const { minLabels, minForEstimate } = this.options;
    for (const state of this.keys.values()) {
      const economics = this.options.economics(state.modelVersion);
      const base = { modelVersion: state.modelVersion, variant: state.variant };
      this.options.tumbling.forEach((window, i) => {
        const start = Math.floor(asOf / window.ms) * window.ms - window.ms;
        const bucket = state.buckets[i]?.get(start);
        if (bucket === undefined) return;
        reports.push(
          windowReport({
            ...base,
            window: window.name,
            kind: 'tumbling',
            start,
            end: start + window.ms,
            predictions: bucket.predictions,
            called: bucket.called,
            sample: bucket.labelled,
            unlabelled: bucket.unlabelled,
            economics,
            minLabels,
            minForEstimate,
          }),
        );
      });
      if (state.recent.length > 0) reports.push(this.recentReport(state, economics));
    }
    return reports;
  }

  /**
   * The last-N window's coverage is measured over its time span using the finest tumbling windows:
   * labelled / predictions in the retained windows from the oldest member's window onwards.
   */
  private recentReport(state: KeyState, economics: Economics): WindowReport {
    const sample = state.recent;
    let oldest = Infinity;
    for (let i = 0; i < sample.length; i += 1) oldest = Math.min(oldest, state.recentEventTimes[i] as number);
    let finest = -1;
    this.options.tumbling.forEach((w, i) => {
      if (finest < 0 || w.ms < (this.options.tumbling[finest] as TumblingWindow).ms) finest = i;
    });
    let predictions = 0;
    let labelled = 0;
    if (finest >= 0) {
      const ms = (this.options.tumbling[finest] as TumblingWindow).ms;
      for (const bucket of (state.buckets[finest] as Map<number, Bucket>).values()) {
        if (bucket.start + ms <= oldest) continue;
        predictions += bucket.predictions;
        labelled += bucket.labelled.length;
      }
    }
    return windowReport({
      modelVersion: state.modelVersion,
      variant: state.variant,
      window: `last_${this.options.lastN}`,
      kind: 'count',
      start: Number.isFinite(oldest) ? oldest : null,
      end: null,
      predictions: Math.max(predictions, sample.length),
      coverageOverride: predictions > 0 ? Math.min(1, labelled / predictions) : null,
      called: sample.calledCount(),
      sample,
      unlabelled: null,
      economics,
      minLabels: Math.min(this.options.minLabels, this.options.lastN),
      minForEstimate: this.options.minForEstimate,
    });
  }
}
