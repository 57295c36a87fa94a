import { randomUUID } from 'node:crypto';
import { eventPayload } from '../../src/kafka/events.js';
import { consumeEvents, type RunningConsumer } from '../../src/kafka/consumer.js';
import type { PipelineEvent } from '../../src/kafka/generated/types.js';
import { withLake } from '../../src/lake/duckdb.js';
import { rowCount } from '../../src/lake/readers.js';
import { currentSnapshotId, rowsAddedSql, tableExists } from '../../src/lake/snapshots.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { ALIASES } from '../../src/registry/index.js';
import { decide, type TriggerState } from './decide.js';

export const TRIGGER_GROUP = 'bankops-retrain-trigger';

export interface TriggerOptions {
  threshold: number;
  cooldownMs: number;
  /** Monitoring evidence older than this is ignored (see decide). */
  evidenceMaxAgeMs: number;
  groupId?: string;
}

/** Rows the customers table gained since the champion's training snapshot (all rows without a champion). */
async function rowsSinceChampion(
  ctx: PipelineContext,
): Promise<{ rows: number; snapshotId: string | undefined }> {
  const champion = await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion);
  const since = champion?.tags?.find((t) => t.key === 'bankops.snapshot_id')?.value;
  const table = ctx.names.customersTable;
  return withLake(ctx.config, async (lake) => {
    if (!(await tableExists(lake, table))) return { rows: 0, snapshotId: undefined };
    const current = await currentSnapshotId(lake, table);
    if (!current) return { rows: 0, snapshotId: undefined };
    if (!since) return { rows: await rowCount(lake, table), snapshotId: current };
    const [row] = await lake.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM (${rowsAddedSql(table, since, current)})`,
    );
    return { rows: Number(row?.n ?? 0), snapshotId: current };
  });
}

/**
 * The versions that answer clients now (champion, challenger). Monitoring evidence about any other
 * version (the monitor replays history after a restart) says nothing about what serves today.
 */
async function servingVersions(ctx: PipelineContext): Promise<Set<string>> {
  const versions = await Promise.all(
    [ALIASES.champion, ALIASES.challenger].map((alias) =>
      ctx.mlflow.getVersionByAlias(ctx.names.modelName, alias),
    ),
  );
  return new Set(versions.flatMap((v) => (v ? [String(v.version)] : [])));
}

/**
 * Follows batch.ingested (and, from monitoring, drift.detected and performance.degraded) and emits one
 * retrain.requested when the evidence is there, never a second while one is running.
 */
export async function startRetrainTrigger(
  ctx: PipelineContext,
  options: TriggerOptions,
): Promise<RunningConsumer> {
  const state: TriggerState = { pending: undefined, cooldownUntil: 0 };
  const request = async (reason: string, details: Record<string, unknown>) => {
    const correlationId = `retrain-${randomUUID()}`;
    state.pending = correlationId;
    await ctx.emit('retrain.requested', { reason, ...details }, correlationId);
    ctx.log.info({ correlationId, reason }, 'retraining requested');
  };
  const onEvent = async (event: PipelineEvent) => {
    const payload = eventPayload(event);
    switch (event.type) {
      case 'batch.ingested': {
        if (payload['table'] !== ctx.names.customersTable) return;
        const { rows, snapshotId } = await rowsSinceChampion(ctx);
        const decision = decide(state, {
          kind: 'rows',
          rowsSinceChampion: rows,
          threshold: options.threshold,
        });
        ctx.log.info({ rows, decision }, 'batch ingested');
        if (decision.request) await request(decision.reason, { trigger: 'rows', rows, snapshotId });
        return;
      }
      case 'drift.detected':
      case 'performance.degraded': {
        const about = payload['modelVersion'];
        const decision = decide(state, {
          kind: 'evidence',
          type: event.type,
          now: Date.now(),
          eventTime: Number(event.event_time),
          maxAgeMs: options.evidenceMaxAgeMs,
          ...(typeof about === 'string' ? { about } : {}),
          serving: await servingVersions(ctx),
        });
        ctx.log.info({ type: event.type, modelVersion: about, decision }, 'monitoring evidence');
        if (decision.request) {
          state.cooldownUntil = Date.now() + options.cooldownMs;
          await request(decision.reason, { trigger: event.type, evidence: payload });
        }
        return;
      }
      case 'model.trained':
      case 'retrain.failed':
        if (event.correlation_id === state.pending) state.pending = undefined;
        return;
      default:
        return;
    }
  };
  return consumeEvents(ctx.kafka, ctx.registry, {
    groupId: options.groupId ?? TRIGGER_GROUP,
    topic: ctx.names.eventsTopic,
    fromBeginning: false,
    onEvent,
    log: ctx.log,
  });
}
