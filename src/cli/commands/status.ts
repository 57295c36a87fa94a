import type { Command } from 'commander';
import { getConfig, type Config } from '../../config/index.js';
import { errorMessage } from '../../errors/index.js';
import { createKafka } from '../../kafka/client.js';
import { groupLag, type TopicLag } from '../../kafka/lag.js';
import { withLake } from '../../lake/duckdb.js';
import { rowCount } from '../../lake/readers.js';
import { currentSnapshotId, snapshots, tableExists } from '../../lake/snapshots.js';
import { logger } from '../../logging/index.js';
import { stackStatus } from '../../stack/stack.js';
import { printJson, println } from '../output.js';
import { DEFAULT_GROUP } from '../../../consumers/lake-writer/main.js';
import { TABLES } from '../../../consumers/lake-writer/tables.js';

interface TableStatus {
  rows: number;
  snapshots: number;
  currentSnapshotId: string | null;
}

export interface StatusReport {
  stack: Record<string, { up: boolean; url: string; managed: boolean; pid?: number; logFile: string }>;
  lake: { tables: Record<string, TableStatus>; error?: string };
  consumers: { lakeWriter: { group: string; lag: TopicLag[] } | { group: string; error: string } };
  home: string;
  checkedAt: string;
}

async function lakeStatus(config: Config): Promise<StatusReport['lake']> {
  try {
    return await withLake(config, async (lake) => {
      const tables: Record<string, TableStatus> = {};
      for (const spec of TABLES) {
        const name = `${spec.namespace}.${spec.table}`;
        if (!(await tableExists(lake, name))) continue;
        tables[name] = {
          rows: await rowCount(lake, name),
          snapshots: (await snapshots(lake, config, name)).length,
          currentSnapshotId: (await currentSnapshotId(lake, name)) ?? null,
        };
      }
      return { tables };
    });
  } catch (error) {
    return { tables: {}, error: errorMessage(error) };
  }
}

async function lagStatus(config: Config): Promise<StatusReport['consumers']['lakeWriter']> {
  try {
    const lag = await groupLag(
      createKafka(config, 'bankops-status'),
      DEFAULT_GROUP,
      TABLES.map((t) => t.topic),
    );
    return { group: DEFAULT_GROUP, lag };
  } catch (error) {
    return { group: DEFAULT_GROUP, error: errorMessage(error) };
  }
}

/** One report of every part; each capability adds its section. Parts that are down are reported, not fatal. */
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
  const lake = stack['icebergCatalog']?.up
    ? await lakeStatus(config)
    : { tables: {}, error: 'the Iceberg catalog is down' };
  const lakeWriter = stack['kafka']?.up
    ? await lagStatus(config)
    : { group: DEFAULT_GROUP, error: 'Kafka is down' };
  return { stack, lake, consumers: { lakeWriter }, home: config.home, checkedAt: new Date().toISOString() };
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
      println('lake:');
      if (report.lake.error) println(`  unavailable: ${report.lake.error}`);
      for (const [name, t] of Object.entries(report.lake.tables)) {
        println(
          `  ${name.padEnd(20)} ${String(t.rows).padStart(8)} rows  ${t.snapshots} snapshots  current ${t.currentSnapshotId}`,
        );
      }
      const writer = report.consumers.lakeWriter;
      println(`consumers: lake writer (group ${writer.group})`);
      if ('error' in writer) println(`  unavailable: ${writer.error}`);
      else for (const l of writer.lag) println(`  ${l.topic.padEnd(24)} lag ${l.lag}`);
    });
}
