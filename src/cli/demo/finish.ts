import { logger } from '../../logging/index.js';
import { stackDown } from '../../stack/stack.js';
import { println } from '../output.js';
import { need, took, type DemoContext } from './context.js';

/** Where an operator looks next; then the stack keeps running or stops (--stop-stack). */
export async function finish(ctx: DemoContext): Promise<void> {
  const { config } = ctx;
  println('');
  println('Where to look:');
  if (ctx.edaFile) println(`  EDA report           ${ctx.edaFile}`);
  println(`  Stakeholder report   ${need(ctx.reportFile, 'the stakeholder report')}`);
  println(`  MLflow UI            ${config.urls.mlflow}`);
  println(
    `  API docs             http://${config.serving.host}:${config.serving.port}/docs (the demo's server has stopped: bin/bankops serve)`,
  );
  println(`  Prometheus           ${config.urls.prometheus}`);
  println(`  Alertmanager         ${config.urls.alertmanager}`);
  println(`  Schema registry      ${config.urls.schemaRegistry}/subjects`);
  println(`  Iceberg REST catalog ${config.urls.catalog}/v1/namespaces`);
  println(`  Kafka bootstrap      ${config.kafka.brokers.join(',')}`);
  println(`  Lake                 bin/bankops lake query "select count(*) from lake.bank.customers"`);
  println('');
  println(`demo finished in ${took(ctx.started)}`);
  if (ctx.options.keepRunning) {
    println(
      'the stack keeps running, so every UI above answers; stop it with `bin/bankops stack down` (or `make stack-down`)',
    );
  } else {
    await stackDown({ config, log: logger('demo') });
    println('stack stopped (--stop-stack); the UIs above answer again after `bin/bankops stack up`');
  }
}
