import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { printJson, println } from '../output.js';
import { parseScenarios } from '../../../producers/synthetic.js';
import { simulationRecords } from '../../../producers/simulator/records.js';
import { simulate } from '../../../producers/simulator/run.js';

interface SimulateOptions {
  requests: number;
  rate: number;
  labelDelay: number;
  labelCoverage: number;
  drift?: string;
  url?: string;
  apiKey?: string;
  seed: number;
  json?: boolean;
}

const positive = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new BankopsError('USAGE', `${name} must be a number ≥ 0, got ${value}`);
  return n;
};

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'send traffic to the serving API (real customers of the simulation reserve, which no model trains on from ' +
        'bank.customers, or synthetic copies of them with --drift) and report ' +
        'their true outcome after a delay, so monitoring can measure accuracy. Runs in real time: event times ' +
        'are the server clock (there is no --time-scale: serving stamps predictions and labels itself)',
    )
    .option('--requests <n>', 'records to send', positive('--requests'), 1000)
    .option('--rate <r>', 'target requests per second', positive('--rate'), 50)
    .option(
      '--label-delay <seconds>',
      'report each outcome this long after the answer',
      positive('--label-delay'),
      5,
    )
    .option(
      '--label-coverage <p>',
      'share of answers whose outcome is reported (0..1)',
      positive('--label-coverage'),
      1,
    )
    .option(
      '--drift <scenario>',
      'synthetic records with a drift scenario (none, older, telephone, recession, concept; combine with a comma: telephone,concept)',
    )
    .option('--url <url>', 'serving API (default http://BANKOPS_SERVING_HOST:BANKOPS_SERVING_PORT)')
    .option('--api-key <key>', 'API key (Authorization: Bearer)')
    .option('--seed <n>', 'random seed (records and label sampling)', positive('--seed'), 42)
    .option('--json', 'print the summary as JSON')
    .action(async (opts: SimulateOptions) => {
      const config = getConfig();
      const url = opts.url ?? `http://${config.serving.host}:${config.serving.port}`;
      const scenario = opts.drift === undefined ? undefined : parseScenarios(opts.drift);
      const records = await simulationRecords(config, {
        count: Math.floor(opts.requests),
        seed: opts.seed,
        ...(scenario ? { scenario } : {}),
      });
      const bar = opts.json
        ? undefined
        : new SingleBar(
            { format: 'simulate [{bar}] {value}/{total} answered | errors {errors} | labels {labels}' },
            Presets.shades_classic,
          );
      bar?.start(records.length, 0, { errors: 0, labels: 0 });
      const summary = await simulate({
        url,
        ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
        records,
        rate: opts.rate,
        labelDelayMs: opts.labelDelay * 1000,
        labelCoverage: opts.labelCoverage,
        seed: opts.seed,
        onProgress: (p) => bar?.update(p.answered + p.errors, { errors: p.errors, labels: p.labelsSent }),
      });
      bar?.stop();
      if (opts.json) {
        printJson({ ...summary, predictions: summary.predictions.length });
        return;
      }
      const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '-');
      println(
        `sent ${summary.sent}, answered ${summary.answered}, errors ${summary.errors}, labels sent ${summary.labelsSent}` +
          (summary.labelErrors ? ` (${summary.labelErrors} failed)` : ''),
      );
      println(
        `latency p50 ${ms(summary.latencyMs.p50)}, p95 ${ms(summary.latencyMs.p95)}, p99 ${ms(summary.latencyMs.p99)}`,
      );
      println(
        `elapsed ${(summary.elapsedMs / 1000).toFixed(1)} s${summary.firstError ? `; first error: ${summary.firstError}` : ''}`,
      );
      if (summary.errors > 0 && summary.answered === 0) process.exitCode = 1;
    });
}
