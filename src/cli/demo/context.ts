import type { Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import type { BankRecord } from '../../bank/columns.js';
import type { PipelineContext } from '../../pipeline/context.js';
import type { TrainingSessionResult } from '../../pipeline/train-session.js';
import type { LabelledTraffic } from './drift.js';
import type { BankopsProcess } from './processes.js';
import type { DemoServing } from './serving.js';

export interface DemoOptions {
  keepRunning: boolean;
  /** Rows of the synthetic batch (the end-to-end test uses fewer). */
  batchRows: number;
}

/**
 * What the steps hand on to later steps. Each field is set by the step that makes it and read through
 * `need` by the steps after it.
 */
export interface DemoState {
  /** The component processes (lake writer, pipeline, monitor, alert webhook). */
  processes: Partial<Record<'writer' | 'pipeline' | 'monitor' | 'alerts', BankopsProcess>>;
  /** Step 7's EDA report. */
  edaFile?: string;
  /** The pipeline's clients (Kafka, registry, MLflow) for the demo's own reads and requests. */
  pipeline?: PipelineContext;
  trained?: TrainingSessionResult;
  serving?: DemoServing;
  /** Customers from the lake, for the workshop call and the traffic through the swap. */
  sample?: BankRecord[];
  /** Step 11's watch: when it began, the version serving then, and the events before it. */
  watch?: { started: number; championVersion: string; skip: number };
  /** Step 12's drifted clients, calling until step 14 ends. */
  drift?: { started: number; traffic: LabelledTraffic; servedVersions: Set<string> };
  /** The newest labelled prediction of the drifted clients that landed: step 16 follows it. */
  traced?: string;
  reportFile?: string;
}

export interface DemoContext extends DemoState {
  readonly config: Config;
  readonly options: DemoOptions;
  /** When the demo began, and when the current step began (set by the runner). */
  readonly started: number;
  stepStarted: number;
  /** Registers what stops a component a step started; `release` runs them, newest first. */
  defer(stop: () => Promise<unknown>): void;
  /** Stops every component started so far, newest first, each even when an earlier one failed. */
  release(): Promise<void>;
}

export function createDemoContext(config: Config, options: DemoOptions): DemoContext {
  const stops: Array<() => Promise<unknown>> = [];
  return {
    config,
    options,
    started: Date.now(),
    stepStarted: Date.now(),
    processes: {},
    defer(stop) {
      stops.push(stop);
    },
    async release() {
      let failure: { error: unknown } | undefined;
      for (let stop = stops.pop(); stop !== undefined; stop = stops.pop()) {
        try {
          await stop();
        } catch (error) {
          failure ??= { error };
        }
      }
      if (failure) throw failure.error;
    },
  };
}

/** A value an earlier step provides. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new BankopsError('INTERNAL', `demo: ${what} is missing (the step that provides it did not run)`);
  return value;
}

/** One step of the demo: printed as "<n>. <title>", numbered by its place in the runner's list. */
export interface DemoStep {
  name: string;
  title: string;
  /** False: nothing to do this time; the heading is not printed, the number is kept. */
  when?: (ctx: DemoContext) => boolean;
  run(ctx: DemoContext): Promise<void>;
}

export const took = (start: number): string => `${((Date.now() - start) / 1000).toFixed(1)} s`;
