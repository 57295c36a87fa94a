import { println } from '../../output.js';
import type { DemoStep } from '../context.js';
import { spawnBankops } from '../processes.js';

export const lakeWriterStep: DemoStep = {
  name: 'lake-writer',
  title: 'the lake writer (Kafka → Iceberg through DuckDB), in its own process',
  async run(ctx) {
    const { config } = ctx;
    const writer = await spawnBankops(config, 'lake-writer', ['lake', 'write'], /lake writer running/);
    ctx.processes.writer = writer;
    ctx.defer(() => writer.stop());
    println(
      `   pid ${writer.child.pid}, log ${writer.logFile}; /metrics at ${config.host}:${config.lakeWriter.metricsPort}`,
    );
  },
};
