import type { Command } from 'commander';
import { getConfig, type Config } from '../../config/index.js';
import { errorMessage } from '../../errors/index.js';
import { createKafka } from '../../kafka/client.js';
import { groupLag, type TopicLag } from '../../kafka/lag.js';
import { withLake } from '../../lake/duckdb.js';
import { rowCount } from '../../lake/readers.js';
import {
  currentSnapshotId,
  dataFileStats,
  snapshots,
  tableExists,
  type DataFileStats,
} from '../../lake/snapshots.js';
import { logger } from '../../logging/index.js';
import { stackStatus } from '../../stack/stack.js';
import { createRegistry } from '../../kafka/registry.js';
import { createPipelineContext, DEFAULT_NAMES } from '../../pipeline/context.js';
import { GROUP } from '../../../topics/specs.js';
import { newRowsSinceLastTraining } from '../../pipeline/new-rows.js';
import { activeRollout } from '../../pipeline/rollout.js';
import type { SourceSnapshot } from '../../pipeline/training-set.js';
import { readPipelineEvents, summarize, type HistoryEntry } from '../../pipeline/history.js';
import { ALIASES, MlflowClient } from '../../registry/index.js';
import { printJson, println } from '../output.js';
import { MONITORING_METRICS_TABLE, TABLES } from '../../../src/lake/tables.js';

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

interface TableStatus extends DataFileStats {
  rows: number;
  snapshots: number;
  currentSnapshotId: string | null;
}

interface VersionStatus {
  version: string;
  runId: string | null;
  trainingSnapshot: string | null;
  /** Every table it learned from, with its snapshot and rows. */
  sources: SourceSnapshot[];
  /** The promotion gate's comparison with the champion it replaced or was refused against. */
  gate: Record<string, unknown> | null;
  metrics: Record<string, number>;
}

export interface StatusReport {
  stack: Record<string, { up: boolean; url: string; managed: boolean; pid?: number; logFile: string }>;
  lake: { tables: Record<string, TableStatus>; error?: string };
  consumers: { lakeWriter: { group: string; lag: TopicLag[] } | { group: string; error: string } };
  registry: {
    model: string;
    champion: VersionStatus | null;
    challenger: VersionStatus | null;
    previous: VersionStatus | null;
    error?: string;
  };
  pipeline: { lastSteps: HistoryEntry[]; error?: string };
  /** The rollout collecting labels, if any: its stage, versions, split, labels so far and decision. */
  rollout: {
    stage: string;
    policy: string | null;
    champion: string | null;
    challenger: string | null;
    share: number | null;
    labels: Record<string, number> | null;
    decision: Record<string, unknown> | null;
    error?: string;
  };
  /** The learning loop: what the last training read, and what has landed since (the row trigger's count). */
  training: {
    lastVersion: string | null;
    newRows: { customers: number; traffic: number; total: number } | null;
    threshold: number;
    sources: string[];
    error?: string;
  };
  monitoring: {
    predictions: number | null;
    labelled: number | null;
    accuracy: number | null;
    firingAlerts: string[];
    error?: string;
  };
  serving: {
    url: string;
    up: boolean;
    modelVersion: string | null;
    variants: Record<string, string | null>;
    mode: string;
    error?: string;
  };
  home: string;
  checkedAt: string;
}

async function lakeStatus(config: Config): Promise<StatusReport['lake']> {
  try {
    return await withLake(config, async (lake) => {
      const tables: Record<string, TableStatus> = {};
      for (const spec of [...TABLES, MONITORING_METRICS_TABLE]) {
        const name = `${spec.namespace}.${spec.table}`;
        if (!(await tableExists(lake, name))) continue;
        tables[name] = {
          rows: await rowCount(lake, name),
          snapshots: (await snapshots(lake, config, name)).length,
          currentSnapshotId: (await currentSnapshotId(lake, name)) ?? null,
          ...(await dataFileStats(lake, name)),
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
      GROUP.lakeWriter,
      TABLES.map((t) => t.topic),
    );
    return { group: GROUP.lakeWriter, lag };
  } catch (error) {
    return { group: GROUP.lakeWriter, error: errorMessage(error) };
  }
}

async function versionStatus(
  mlflow: MlflowClient,
  model: string,
  alias: string,
): Promise<VersionStatus | null> {
  const version = await mlflow.getVersionByAlias(model, alias);
  if (!version) return null;
  const tags = Object.fromEntries((version.tags ?? []).map((t) => [t.key, t.value]));
  const runId = version.run_id ?? null;
  let metrics: Record<string, number> = {};
  if (runId) {
    const run = await mlflow.getRun(runId);
    metrics = Object.fromEntries(
      (run.data.metrics ?? []).filter((m) => m.key.startsWith('test_')).map((m) => [m.key, Number(m.value)]),
    );
  }
  const parse = <T>(text: string | undefined): T | null => {
    try {
      return text ? (JSON.parse(text) as T) : null;
    } catch {
      return null;
    }
  };
  return {
    version: version.version,
    runId,
    trainingSnapshot: tags['bankops.snapshot_id'] ?? null,
    sources: parse<SourceSnapshot[]>(tags['bankops.sources']) ?? [],
    gate: parse<Record<string, unknown>>(tags['bankops.gate']),
    metrics,
  };
}

async function rolloutStatus(config: Config): Promise<StatusReport['rollout']> {
  const ctx = createPipelineContext(config, 'status');
  const none = { policy: null, champion: null, challenger: null, share: null, labels: null, decision: null };
  try {
    const active = await activeRollout(ctx);
    if (!active) return { stage: config.rollout.policy === 'direct' ? 'none (direct)' : 'none', ...none };
    const { state } = active;
    let labels: Record<string, number> | null = null;
    if (config.urls.prometheus) {
      labels = await promVector(
        config,
        `bankops_rollout_labels{challenger="${state.challenger}",champion="${state.champion}"}`,
        'arm',
      ).catch(() => null);
    }
    return {
      stage: state.stage,
      policy: state.policy,
      champion: state.champion,
      challenger: state.challenger,
      share: state.share,
      labels,
      decision: state.decision ? { ...state.decision } : null,
    };
  } catch (error) {
    return { stage: 'unknown', ...none, error: errorMessage(error) };
  } finally {
    await ctx.close();
  }
}

async function promVector(
  config: Config,
  query: string,
  label: string,
): Promise<Record<string, number> | null> {
  const response = await fetch(`${config.urls.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`, {
    signal: AbortSignal.timeout(3_000),
  });
  const body = (await response.json()) as {
    data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  const result = body.data?.result ?? [];
  return result.length === 0
    ? null
    : Object.fromEntries(result.map((r) => [r.metric[label] ?? '?', Number(r.value[1])]));
}

async function trainingStatus(config: Config): Promise<StatusReport['training']> {
  const base = { threshold: config.retrain.thresholdRows, sources: config.training.sources };
  const ctx = createPipelineContext(config, 'status');
  try {
    const found = await newRowsSinceLastTraining(ctx);
    return {
      ...base,
      lastVersion: found.since?.version ?? null,
      newRows: { customers: found.customers, traffic: found.traffic, total: found.total },
    };
  } catch (error) {
    return { ...base, lastVersion: null, newRows: null, error: errorMessage(error) };
  } finally {
    await ctx.close();
  }
}

async function registryStatus(config: Config): Promise<StatusReport['registry']> {
  const model = DEFAULT_NAMES.modelName;
  try {
    const mlflow = new MlflowClient(config);
    return {
      model,
      champion: await versionStatus(mlflow, model, ALIASES.champion),
      challenger: await versionStatus(mlflow, model, ALIASES.challenger),
      previous: await versionStatus(mlflow, model, ALIASES.previous),
    };
  } catch (error) {
    return { model, champion: null, challenger: null, previous: null, error: errorMessage(error) };
  }
}

async function pipelineStatus(config: Config): Promise<StatusReport['pipeline']> {
  try {
    const events = await readPipelineEvents(
      createKafka(config, 'bankops-status'),
      createRegistry(config),
      DEFAULT_NAMES.eventsTopic,
      15_000,
    );
    return { lastSteps: events.slice(-5) };
  } catch (error) {
    return { lastSteps: [], error: errorMessage(error) };
  }
}

async function promScalar(config: Config, query: string): Promise<number | null> {
  const response = await fetch(`${config.urls.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`, {
    signal: AbortSignal.timeout(3_000),
  });
  const body = (await response.json()) as { data?: { result?: Array<{ value?: [number, string] }> } };
  const value = body.data?.result?.[0]?.value?.[1];
  return value === undefined ? null : Number(value);
}

/** What the monitor last exported (through Prometheus) and the alerts firing in Alertmanager. */
async function monitoringStatus(config: Config): Promise<StatusReport['monitoring']> {
  try {
    const alerts = (await (
      await fetch(`${config.urls.alertmanager}/api/v2/alerts?active=true&silenced=false&inhibited=false`, {
        signal: AbortSignal.timeout(3_000),
      })
    ).json()) as Array<{ labels?: Record<string, string> }>;
    return {
      predictions: await promScalar(config, 'sum(bankops_model_predictions_total)'),
      labelled: await promScalar(config, 'sum(bankops_model_labels_total)'),
      accuracy: await promScalar(config, 'max(bankops_model_accuracy{window=~"last_.*"})'),
      firingAlerts: [...new Set(alerts.map((a) => a.labels?.['alertname'] ?? 'unnamed'))],
    };
  } catch (error) {
    return {
      predictions: null,
      labelled: null,
      accuracy: null,
      firingAlerts: [],
      error: errorMessage(error),
    };
  }
}

async function servingStatus(config: Config): Promise<StatusReport['serving']> {
  const url = `http://${config.serving.host}:${config.serving.port}`;
  const base = { url, mode: config.serving.mode };
  try {
    const response = await fetch(`${url}/v1/model`, { signal: AbortSignal.timeout(3_000) });
    const body = (await response.json()) as {
      champion?: { version?: string } | null;
      challenger?: { version?: string } | null;
    };
    return {
      ...base,
      up: response.ok,
      modelVersion: body.champion?.version ?? null,
      variants: { champion: body.champion?.version ?? null, challenger: body.challenger?.version ?? null },
    };
  } catch (error) {
    return {
      ...base,
      up: false,
      modelVersion: null,
      variants: {},
      error: `not answering: ${errorMessage(error)}`,
    };
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
    : { group: GROUP.lakeWriter, error: 'Kafka is down' };
  const registry = stack['mlflow']?.up
    ? await registryStatus(config)
    : {
        model: DEFAULT_NAMES.modelName,
        champion: null,
        challenger: null,
        previous: null,
        error: 'MLflow is down',
      };
  const pipeline =
    stack['kafka']?.up && stack['schemaRegistry']?.up
      ? await pipelineStatus(config)
      : { lastSteps: [], error: 'Kafka or the schema registry is down' };
  const serving = await servingStatus(config);
  const rollout = stack['mlflow']?.up
    ? await rolloutStatus(config)
    : {
        stage: 'unknown',
        policy: null,
        champion: null,
        challenger: null,
        share: null,
        labels: null,
        decision: null,
        error: 'MLflow is down',
      };
  const training =
    stack['mlflow']?.up && stack['icebergCatalog']?.up
      ? await trainingStatus(config)
      : {
          lastVersion: null,
          newRows: null,
          threshold: config.retrain.thresholdRows,
          sources: config.training.sources,
          error: 'MLflow or the Iceberg catalog is down',
        };
  const monitoring =
    stack['prometheus']?.up && stack['alertmanager']?.up
      ? await monitoringStatus(config)
      : {
          predictions: null,
          labelled: null,
          accuracy: null,
          firingAlerts: [],
          error: 'Prometheus or Alertmanager is down',
        };
  return {
    stack,
    lake,
    consumers: { lakeWriter },
    registry,
    pipeline,
    rollout,
    training,
    serving,
    monitoring,
    home: config.home,
    checkedAt: new Date().toISOString(),
  };
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
          `  ${name.padEnd(20)} ${String(t.rows).padStart(8)} rows  ${t.snapshots} snapshots  ` +
            `${t.dataFiles} data files (avg ${t.averageFileBytes === null ? '-' : formatBytes(t.averageFileBytes)})  ` +
            `current ${t.currentSnapshotId}`,
        );
      }
      const writer = report.consumers.lakeWriter;
      println(`consumers: lake writer (group ${writer.group})`);
      if ('error' in writer) println(`  unavailable: ${writer.error}`);
      else for (const l of writer.lag) println(`  ${l.topic.padEnd(24)} lag ${l.lag}`);
      println(`registry: ${report.registry.model}`);
      if (report.registry.error) println(`  unavailable: ${report.registry.error}`);
      for (const alias of ['champion', 'challenger', 'previous'] as const) {
        const v = report.registry[alias];
        if (v) {
          const from = v.sources.length
            ? v.sources
                .filter((src) => !src.table.endsWith('ground_truth'))
                .map((src) => `${src.table}@${src.snapshotId} (${src.rows})`)
                .join(' + ')
            : `snapshot ${v.trainingSnapshot ?? '?'}`;
          println(
            `  ${alias.padEnd(10)} v${v.version}  ${from}  test ROC-AUC ${v.metrics['test_roc_auc']?.toFixed(3) ?? 'n/a'}`,
          );
        }
      }
      const ro = report.rollout;
      println(
        ro.challenger
          ? `rollout: ${ro.stage} ${ro.policy} of v${ro.challenger} against v${ro.champion}${ro.policy === 'canary' ? ` (${Math.round((ro.share ?? 0) * 100)} % of customers)` : ''}; labels ${ro.labels ? JSON.stringify(ro.labels) : '-'}`
          : `rollout: ${ro.stage}${ro.error ? ` (${ro.error})` : ''}`,
      );
      const tr = report.training;
      println(
        tr.error
          ? `training: unavailable: ${tr.error}`
          : `training: last v${tr.lastVersion ?? '-'}; since then ${tr.newRows?.customers ?? '-'} customers rows + ${tr.newRows?.traffic ?? '-'} labelled predictions (retrains at ${tr.threshold}); sources ${tr.sources.join(', ')}`,
      );
      const sv = report.serving;
      println(
        `serving: ${sv.up ? 'up  ' : 'DOWN'} ${sv.url}  champion v${sv.modelVersion ?? '-'}  mode ${sv.mode}`,
      );
      const mo = report.monitoring;
      println(
        `monitoring: ${mo.predictions ?? '-'} predictions, ${mo.labelled ?? '-'} labelled, accuracy ${mo.accuracy?.toFixed(3) ?? '-'}, firing alerts: ${mo.firingAlerts.join(', ') || 'none'}`,
      );
      println('pipeline (last steps):');
      for (const e of report.pipeline.lastSteps) println(`  ${e.time}  ${e.type.padEnd(18)} ${summarize(e)}`);
    });
}
