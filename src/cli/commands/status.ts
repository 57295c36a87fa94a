import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { logger } from '../../logging/index.js';
import { stackStatus } from '../../stack/stack.js';
import { printJson, println } from '../output.js';

export interface StatusReport {
  stack: Record<string, { up: boolean; url: string; managed: boolean; pid?: number; logFile: string }>;
  home: string;
  checkedAt: string;
}

/** One report of every part; later parts (lake, registry, serving, monitoring) add their sections here. */
export async function collectStatus(): Promise<StatusReport> {
  const config = getConfig();
  const services = await stackStatus({ config, log: logger('status') });
  const stack: StatusReport['stack'] = {};
  for (const s of services) {
    stack[s.name] = {
      up: s.up,
      url: s.url,
      managed: s.managed,
      ...(s.pid === undefined ? {} : { pid: s.pid }),
      logFile: s.logFile,
    };
  }
  return { stack, home: config.home, checkedAt: new Date().toISOString() };
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('report every part of bankops')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const report = await collectStatus();
      if (opts.json) {
        printJson(report);
        return;
      }
      println(`BANKOPS_HOME ${report.home}`);
      println('stack:');
      for (const [name, s] of Object.entries(report.stack)) {
        println(`  ${s.up ? 'up  ' : 'DOWN'}  ${name.padEnd(15)} ${s.url}`);
      }
    });
}
