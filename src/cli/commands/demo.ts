import type { Command } from 'commander';
import { runDemo } from '../demo/run.js';

/** Ctrl-C (or a closed output pipe) ends the demo through 'exit', which stops its component processes. */
function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => process.exit(130));
  process.stdout.on('error', () => process.exit(1));
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole lifecycle on the local stack')
    .option('--keep-running', 'leave the stack running afterwards (the default)')
    .option('--stop-stack', 'stop the stack at the end')
    .option('--batch-rows <n>', 'rows of the synthetic batch', (v) => Number(v), 2_000)
    .action(async (opts: { keepRunning?: boolean; stopStack?: boolean; batchRows: number }) => {
      exitOnSignals();
      await runDemo({ keepRunning: opts.stopStack !== true, batchRows: opts.batchRows });
    });
}
