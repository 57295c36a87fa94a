import type { Config } from '../../config/index.js';
import { simulationRecords } from '../../../producers/simulator/records.js';
import { simulate, type SimulationSummary } from '../../../producers/simulator/run.js';
import type { ScenarioMix } from '../../../producers/synthetic.js';
import type { DemoServing } from './serving.js';

export interface LabelledTraffic {
  /** Stops sending; the outcomes of what was answered are still reported. */
  stop(): Promise<SimulationSummary>;
}

/**
 * Simulated clients in the background, with their true outcomes after `labelDelayMs`: the records the
 * monitor sees until stopped (at most `maxSeconds` of them at `rate`).
 */
export async function labelledTraffic(
  config: Config,
  serving: DemoServing,
  options: { scenario: ScenarioMix; rate: number; maxSeconds: number; labelDelayMs: number; seed: number },
): Promise<LabelledTraffic> {
  const records = await simulationRecords(config, {
    count: Math.ceil(options.rate * options.maxSeconds),
    scenario: options.scenario,
    seed: options.seed,
  });
  const controller = new AbortController();
  const running = simulate({
    url: serving.url,
    ...(serving.apiKey ? { apiKey: serving.apiKey } : {}),
    records,
    rate: options.rate,
    labelDelayMs: options.labelDelayMs,
    labelCoverage: 1,
    seed: options.seed,
    signal: controller.signal,
  });
  return {
    async stop() {
      controller.abort();
      return running;
    },
  };
}
