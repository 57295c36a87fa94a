import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { withLake } from '../../lake/duckdb.js';
import { batchIdsBySnapshot, snapshots } from '../../lake/snapshots.js';
import { logger } from '../../logging/index.js';
import { startLakeWriter } from '../../../consumers/lake-writer/main.js';
import { GROUP } from '../../../topics/specs.js';
import { printJson, println } from '../output.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new BankopsError('USAGE', `"${value}" is not a whole number`);
  return n;
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

export function registerLake(program: Command): void {
  const lake = program.command('lake').description('the Iceberg lake: writer, snapshots, queries');

  lake
    .command('write')
    .description('run the lake writer: consume the data topics and append them to Iceberg (until SIGTERM)')
    .option('--group <id>', 'consumer group', GROUP.lakeWriter)
    .option('--instance <name>', 'name for logs and Prometheus discovery', 'lake-writer')
    .option('--max-batch-rows <n>', 'flush at this many messages', positiveInt)
    .option('--max-batch-ms <ms>', 'flush when the oldest message waited this long', positiveInt)
    .option('--metrics-port <port>', 'serve /metrics here (0: any free port)', positiveInt)
    .action(
      async (opts: {
        group: string;
        instance: string;
        maxBatchRows?: number;
        maxBatchMs?: number;
        metricsPort?: number;
      }) => {
        const config = getConfig();
        const log = logger('cli');
        const running = await startLakeWriter(config, {
          groupId: opts.group,
          instance: opts.instance,
          metricsPort: opts.metricsPort ?? config.lakeWriter.metricsPort,
          ...(opts.maxBatchRows ? { maxBatchRows: opts.maxBatchRows } : {}),
          ...(opts.maxBatchMs ? { maxBatchMs: opts.maxBatchMs } : {}),
        });
        println(`lake writer running (group ${opts.group}, metrics ${running.metrics?.address ?? 'off'})`);
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            log.info({ signal }, 'stopping the lake writer');
            resolve();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await running.close();
      },
    );

  lake
    .command('snapshots')
    .argument('[table]', 'namespace.table', 'bank.customers')
    .description('one line per Iceberg snapshot: id, time, rows added, batch ids')
    .option('--json', 'print JSON')
    .action(async (table: string, opts: { json?: boolean }) => {
      const config = getConfig();
      const list = await withLake(config, async (l) => {
        const found = await snapshots(l, config, table);
        const batches = await batchIdsBySnapshot(l, table, found);
        return found.map((s) => ({ ...s, batchIds: batches.get(s.snapshotId) ?? [] }));
      });
      if (opts.json) {
        printJson(list);
        return;
      }
      println(
        '   seq  snapshot id          committed at              operation  rows added  total  batch ids',
      );
      for (const s of list) {
        println(
          `  ${String(s.sequenceNumber).padStart(4)}  ${s.snapshotId.padEnd(20)} ${s.timestamp.toISOString()}  ` +
            `${(s.summary['operation'] ?? '').padEnd(9)}  ${(s.summary['added-records'] ?? '?').padStart(10)}  ` +
            `${(s.summary['total-records'] ?? '?').padStart(5)}  ${s.batchIds.join(', ')}`,
        );
      }
    });

  lake
    .command('query')
    .argument('<sql>', 'SQL; tables are lake.<namespace>.<table>, e.g. lake.bank.customers')
    .description('run a SQL query through DuckDB with the catalog attached as "lake"')
    .option('--json', 'print JSON')
    .action(async (sql: string, opts: { json?: boolean }) => {
      const rows = await withLake(getConfig(), (l) => l.all(sql));
      if (opts.json) printJson(jsonSafe(rows));
      else console.table(jsonSafe(rows) as object[]);
    });
}
