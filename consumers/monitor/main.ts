import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import type { Config } from '../../src/config/index.js';
import { sendDeadLetters, type DeadLetterRequest, type SourceMessage } from '../../src/kafka/dead-letter.js';
import { GROUP, TOPIC } from '../../topics/specs.js';
import { logger } from '../../src/logging/index.js';
import { createMetricsRegistry, startMetricsServer, type MetricsServer } from '../../src/metrics/server.js';
import { Monitor, toHistoryRows, updateGauges, type MonitoringSnapshot } from '../../src/monitoring/index.js';
import { MonitorIntake } from '../../src/monitoring/intake.js';
import { createPipelineContext, type PipelineContext } from '../../src/pipeline/context.js';
import { registerScrapeTarget, unregisterScrapeTarget } from '../../src/metrics/scrape-targets.js';
import { monitorEvents, type Cooldowns, type MonitorEvent } from './alerts.js';
import { HistorySink } from './history-sink.js';
import { LagExporter, type LagGroup } from './lag.js';
import { countPipelineEvents } from './pipeline-events.js';
import type { RunningConsumer } from '../../src/kafka/consumer.js';
import { ReferenceLoader } from './references.js';
import { RolloutJudge } from './rollout.js';
import { startSource, type MonitorRecord, type RunningSource } from './source.js';

export interface StartMonitorOptions {
  topics?: { predictions?: string; groundTruth?: string; pipelineEvents?: string };
  /** Base of the per-start consumer group (default config.monitor.groupId). */
  groupId?: string;
  /** /metrics port (0: any free port; default config.monitor.metricsPort); null: no server. */
  metricsPort?: number | null;
  /** Prometheus scrape target name (default `monitor`); null: do not register. */
  scrapeTarget?: string | null;
  /** Iceberg table for the history (default bank.monitoring_metrics); null: no history. */
  historyTable?: string | null;
  intervalMs?: number;
  historyIntervalMs?: number;
  /** How long a label may wait for its prediction before it is rejected as unknown (core default 10 min). */
  orphanGraceMs?: number;
  /**
   * Ignore predictions and labels published before this time (epoch ms): a monitor that watches from
   * now on instead of replaying the horizon (the demo watches its own clients).
   */
  since?: number;
  /** Consumer groups whose lag is exported (default: lake writer, monitor, trainer, promoter, trigger). */
  lagGroups?: LagGroup[];
  /** The registered model whose rollouts the monitor decides (default bank-marketing). */
  modelName?: string;
}

export interface RunningMonitor {
  monitor: Monitor;
  registry: Registry;
  metrics: MetricsServer | undefined;
  groupId: string;
  /** Resolves (with the number of replayed records) once the restart replay was fed. */
  replayed: Promise<number>;
  /** Events emitted so far (newest last). */
  emitted: MonitorEvent[];
  /** Recomputes now: snapshot, gauges, events (and history when due); what the timer does. */
  tick(options?: { history?: boolean }): Promise<MonitoringSnapshot>;
  /** Waits for the reference loads started so far. */
  referencesLoaded(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A copy whose bytes do not share the fetch response's buffer: a label can wait in the join for minutes,
 * and a view would keep its whole fetch (up to the fetch size) in memory.
 */
function detached(message: SourceMessage): SourceMessage {
  const copy = (b: Buffer | null) => (b === null ? null : Buffer.from(b));
  return { ...message, key: copy(message.key), value: copy(message.value) };
}

/** Runs the monitoring consumer (`bankops monitor`) until `close()`. */
export async function startMonitor(
  config: Config,
  options: StartMonitorOptions = {},
): Promise<RunningMonitor> {
  const settings = config.monitor;
  const log = logger('monitor');
  const topics = {
    predictions: options.topics?.predictions ?? TOPIC.predictions,
    groundTruth: options.topics?.groundTruth ?? TOPIC.groundTruth,
    pipelineEvents: options.topics?.pipelineEvents ?? TOPIC.pipelineEvents,
  };
  const baseGroup = options.groupId ?? settings.groupId;
  const ctx: PipelineContext = createPipelineContext(config, 'monitor', {
    eventsTopic: topics.pipelineEvents,
    ...(options.modelName ? { modelName: options.modelName } : {}),
  });
  const registry = createMetricsRegistry('monitor');
  const deadLetters = new Counter({
    name: 'bankops_monitor_dead_letters_total',
    help: 'Messages the monitor sent to a dead-letter topic',
    labelNames: ['topic', 'code'],
    registers: [registry],
  });
  const monitor = new Monitor({
    join: {
      horizonMs: settings.horizonMs,
      ...(options.orphanGraceMs !== undefined ? { orphanGraceMs: options.orphanGraceMs } : {}),
    },
    windows: { lastN: settings.lastN, minLabels: settings.minLabels },
    drift: { sizeBasis: settings.driftSizeBasis, minSamples: settings.driftMinSamples },
  });
  const references = new ReferenceLoader(ctx.mlflow, (r) => monitor.setReference(r), log);
  const intake = new MonitorIntake<SourceMessage>(monitor, detached);
  const deadLetter = async (letters: DeadLetterRequest[]) => {
    if (letters.length === 0) return;
    await sendDeadLetters(ctx.producer, letters, 'monitor');
    for (const { message, code } of letters) deadLetters.inc({ topic: message.topic, code });
  };
  // Dead letters go out once the batch is fed (before the source resolves its offsets): one produce request.
  const onRecords = async (records: MonitorRecord[], replayed: boolean) => {
    const fed = intake.feed(records, replayed);
    for (const { model, version } of fed.versions) references.ensure(model, version);
    await deadLetter(fed.deadLetters);
  };

  let source: RunningSource | undefined;
  let events: RunningConsumer | undefined;
  let metrics: MetricsServer | undefined;
  const scrapeName = options.scrapeTarget === undefined ? 'monitor' : options.scrapeTarget;
  const lagGroups = (): LagGroup[] =>
    options.lagGroups ?? [
      {
        label: GROUP.lakeWriter,
        groupId: GROUP.lakeWriter,
        topics: [TOPIC.customers, TOPIC.predictions, TOPIC.groundTruth],
      },
      {
        label: baseGroup,
        groupId: source?.groupId ?? baseGroup,
        topics: [topics.predictions, topics.groundTruth],
      },
      ...[GROUP.trainer, GROUP.promoter, GROUP.retrainTrigger].map((group) => ({
        label: group,
        groupId: group,
        topics: [TOPIC.pipelineEvents],
      })),
    ];
  const lag = new LagExporter(ctx.kafka, registry, lagGroups);
  const history = options.historyTable === null ? undefined : new HistorySink(config, options.historyTable);
  const historyEvery = options.historyIntervalMs ?? settings.historyIntervalMs;
  let lastHistory = 0;
  const cooldowns: Cooldowns = new Map();
  const emitted: MonitorEvent[] = [];
  const rollouts = new RolloutJudge(ctx, monitor, registry, config, log);

  let ticking: Promise<MonitoringSnapshot> | undefined;
  const tickNow = async (forceHistory: boolean | undefined): Promise<MonitoringSnapshot> => {
    const now = Date.now();
    const snapshot = monitor.snapshot(now);
    updateGauges(registry, snapshot);
    for (const event of monitorEvents(snapshot, { ...settings }, cooldowns, now)) {
      await ctx.emit(event.type, event.payload, event.correlationId);
      emitted.push(event);
      log.warn({ type: event.type, payload: event.payload }, 'monitoring event');
    }
    await rollouts
      .judge(now)
      .catch((error: unknown) => log.warn({ err: error }, 'cannot judge the rollout now'));
    await lag.update().catch((error: unknown) => log.warn({ err: error }, 'lag unavailable'));
    const due = forceHistory ?? now - lastHistory >= historyEvery;
    if (history && due) {
      lastHistory = now;
      const rows = await history.append(toHistoryRows(snapshot));
      log.debug({ rows, table: history.table }, 'history appended');
    }
    return snapshot;
  };
  const tick = (tickOptions: { history?: boolean } = {}) => {
    const run = (ticking ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => tickNow(tickOptions.history));
    ticking = run;
    return run;
  };

  try {
    await ctx.producer.connect();
    source = await startSource(ctx.kafka, ctx.registry, {
      baseGroupId: baseGroup,
      predictionsTopic: topics.predictions,
      groundTruthTopic: topics.groundTruth,
      replayFrom: Math.max(
        Date.now() - settings.horizonMs - (options.orphanGraceMs ?? 10 * 60_000),
        options.since ?? 0,
      ),
      onRecords,
      onUndecodable: (message, error) => deadLetter([{ message, code: 'UNDECODABLE', reason: error }]),
      log,
    });
    events = await countPipelineEvents(ctx.kafka, ctx.registry, registry, {
      groupId: `${baseGroup}-events`,
      topic: topics.pipelineEvents,
      log,
    });
    const port = options.metricsPort === undefined ? settings.metricsPort : options.metricsPort;
    if (port !== null) {
      metrics = await startMetricsServer(registry, config.host, port);
      if (scrapeName !== null)
        await registerScrapeTarget(config, scrapeName, [metrics.address], { component: 'monitor' });
    }
  } catch (error) {
    await source?.close().catch(() => undefined);
    await events?.close().catch(() => undefined);
    await ctx.close().catch(() => undefined);
    throw error;
  }
  const timer = setInterval(() => {
    void tick().catch((error: unknown) => log.error({ err: error }, 'monitoring tick failed'));
  }, options.intervalMs ?? settings.intervalMs);
  log.info({ groupId: source.groupId, metrics: metrics?.address, topics }, 'monitor started');
  const running = source;
  const counting = events;
  return {
    monitor,
    registry,
    metrics,
    groupId: running.groupId,
    replayed: running.replayed,
    emitted,
    tick,
    referencesLoaded: () => references.settled(),
    async close() {
      clearInterval(timer);
      await ticking?.catch(() => undefined);
      // Each consumer waits for its in-flight fetch when it leaves: leave both at once.
      await Promise.all([running.close(), counting.close()]);
      if (metrics) {
        if (scrapeName !== null) await unregisterScrapeTarget(config, scrapeName).catch(() => undefined);
        await metrics.close();
      }
      await ctx.close();
    },
  };
}
