import type { Command } from 'commander';
import { configReference, getConfig } from '../../config/index.js';
import { printJson, println } from '../output.js';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('show the effective configuration, or every variable with its default (--reference)')
    .option('--json', 'print JSON')
    .option('--reference', 'list every BANKOPS_* variable and its default')
    .action((opts: { json?: boolean; reference?: boolean }) => {
      const value = opts.reference ? configReference() : getConfig();
      if (opts.json || !opts.reference) {
        printJson(value);
        return;
      }
      for (const { name, default: fallback } of configReference()) {
        println(`${name.padEnd(36)} ${fallback ?? '(unset)'}`);
      }
    });
}
