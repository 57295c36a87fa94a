import type { Config } from '../../src/config/index.js';
import { createKafka } from '../../src/kafka/client.js';
import { AvroProducer } from '../../src/kafka/producer.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { openLake } from '../../src/lake/duckdb.js';
import { logger } from '../../src/logging/index.js';
import { createMetricsRegistry, startMetricsServer, type MetricsServer } from '../../src/metrics/server.js';
import { registerScrapeTarget, unregisterScrapeTarget } from '../../src/metrics/scrape-targets.js';
import { IcebergSink } from '../../src/lake/sink.js';
import { TABLES } from '../../src/lake/tables.js';
import { GROUP } from '../../topics/specs.js';
import { LakeWriter, type LakeWriterOptions } from './writer.js';

export interface RunningLakeWriter {
  writer: LakeWriter;
  metrics: MetricsServer | undefined;
  close(): Promise<void>;
}

export interface StartOptions extends Partial<LakeWriterOptions> {
  /** Serve /metrics on this port (0: any free port); undefined: no metrics server. */
  metricsPort?: number;
  /** The name under which Prometheus discovers it (several writers need several names). */
  instance?: string;
}

/** Wires the lake writer to the real Kafka, registry and Iceberg catalog; `close()` shuts down in order. */
export async function startLakeWriter(
  config: Config,
  options: StartOptions = {},
): Promise<RunningLakeWriter> {
  const log = logger('lake-writer', { instance: options.instance ?? 'lake-writer' });
  const kafka = createKafka(config, 'bankops-lake-writer');
  const registry = createRegistry(config);
  const producer = new AvroProducer(kafka, registry);
  const sink = new IcebergSink(() => openLake(config));
  const metricsRegistry = createMetricsRegistry('lake-writer');
  const writer = new LakeWriter(
    kafka,
    registry,
    producer,
    sink,
    {
      groupId: options.groupId ?? GROUP.lakeWriter,
      tables: options.tables ?? TABLES,
      maxBatchRows: options.maxBatchRows ?? config.lakeWriter.maxBatchRows,
      maxBatchMs: options.maxBatchMs ?? config.lakeWriter.maxBatchMs,
      ...(options.eventsTopic ? { eventsTopic: options.eventsTopic } : {}),
    },
    log,
    metricsRegistry,
  );
  let metrics: MetricsServer | undefined;
  const name = options.instance ?? 'lake-writer';
  try {
    await writer.start();
    if (options.metricsPort !== undefined) {
      metrics = await startMetricsServer(metricsRegistry, config.host, options.metricsPort);
      await registerScrapeTarget(config, name, [metrics.address], { component: 'lake-writer' });
    }
  } catch (error) {
    await writer.close().catch(() => undefined);
    await producer.close().catch(() => undefined);
    sink.close();
    throw error;
  }
  log.info({ metrics: metrics?.address }, 'lake writer started');
  return {
    writer,
    metrics,
    async close() {
      await writer.close();
      await producer.close();
      sink.close();
      if (metrics) {
        await unregisterScrapeTarget(config, name).catch(() => undefined);
        await metrics.close();
      }
    },
  };
}
