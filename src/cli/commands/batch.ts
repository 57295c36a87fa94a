import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { publishSyntheticBatch } from '../../../producers/batch.js';
import {
  DRIFT_SCENARIOS,
  parseScenarios,
  scenarioName,
  type DriftScenario,
} from '../../../producers/synthetic.js';
import { byteProgress, printJson, println } from '../output.js';

/** "30s", "5m", "1h", or milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new BankopsError('USAGE', `"${value}" is not a duration (e.g. 500ms, 30s, 5m, 1h)`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'] ?? 1;
  return Number(match[1]) * unit;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new BankopsError('USAGE', `"${value}" is not a positive whole number`);
  return n;
}

export function registerBatch(program: Command): void {
  program
    .command('batch')
    .description('publish synthetic new customers bootstrapped from the lake (seed step 6.1)')
    .requiredOption('--rows <n>', 'customers per batch', wholeNumber)
    .option('--seed <n>', 'random seed (batches with the same seed and lake are identical)', wholeNumber, 1)
    .option(
      '--drift <scenario>',
      `drift scenario: ${Object.entries(DRIFT_SCENARIOS)
        .map(([k, v]) => `${k} (${v})`)
        .join('; ')}; combine them with a comma (telephone,concept)`,
      parseScenarios,
      ['none'] as DriftScenario[],
    )
    .option(
      '--every <duration>',
      'publish a new batch on this schedule (e.g. 30s, 5m) until interrupted',
      parseDuration,
    )
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        rows: number;
        seed: number;
        drift: DriftScenario[];
        every?: number;
        json?: boolean;
      }) => {
        const config = getConfig();
        let seed = opts.seed;
        let stopped = false;
        const stop = () => (stopped = true);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        do {
          const bar = byteProgress('published rows');
          let result;
          try {
            result = await publishSyntheticBatch(config, {
              rows: opts.rows,
              seed,
              scenario: opts.drift,
              onProgress: (sent, total) => bar.update(sent, total),
            });
          } finally {
            bar.stop();
          }
          if (opts.json) printJson(result);
          else
            println(
              `published ${result.rows} synthetic rows (${scenarioName(opts.drift)}) as batch ${result.batchId}`,
            );
          seed += 1;
          if (opts.every !== undefined && !stopped)
            await new Promise((resolve) => setTimeout(resolve, opts.every));
        } while (opts.every !== undefined && !stopped);
      },
    );
}
