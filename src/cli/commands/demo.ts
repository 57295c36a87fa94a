import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { logger } from '../../logging/index.js';
import { stackDown } from '../../stack/stack.js';
import { println } from '../output.js';
import { printServiceTable, runStackUp } from './stack.js';

export interface DemoOptions {
  keepRunning: boolean;
}

/**
 * The whole lifecycle in one command. Each capability adds its step here; the stack comes first.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const config = getConfig();
  const started = Date.now();
  println('bankops demo');
  println(`BANKOPS_HOME ${config.home}`);
  println('');
  println('1. the local stack');
  const services = await runStackUp(undefined);
  printServiceTable(services);
  println('');
  println('Where to look:');
  println(`  MLflow UI            ${config.urls.mlflow}`);
  println(`  Prometheus           ${config.urls.prometheus}`);
  println(`  Alertmanager         ${config.urls.alertmanager}`);
  println(`  Schema registry      ${config.urls.schemaRegistry}/subjects`);
  println(`  Iceberg REST catalog ${config.urls.catalog}/v1/config`);
  println(`  Kafka bootstrap      ${config.kafka.brokers.join(',')}`);
  println('');
  println(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (options.keepRunning) {
    println('the stack keeps running; stop it with `bin/bankops stack down`');
  } else {
    await stackDown({ config, log: logger('demo') });
    println('stack stopped (run `bin/bankops demo --keep-running` to keep it up)');
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole lifecycle on the local stack')
    .option('--keep-running', 'leave the stack running afterwards')
    .action(async (opts: { keepRunning?: boolean }) => {
      await runDemo({ keepRunning: opts.keepRunning === true });
    });
}
