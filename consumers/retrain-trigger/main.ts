import { randomUUID } from 'node:crypto';
import { eventPayload } from '../../src/kafka/events.js';
import { consumeEvents, type RunningConsumer } from '../../src/kafka/consumer.js';
import type { PipelineEvent } from '../../src/kafka/generated/types.js';
import { labelledSince, newRowsSinceLastTraining } from '../../src/pipeline/new-rows.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { ALIASES } from '../../src/registry/index.js';
import { GROUP } from '../../topics/specs.js';
import { decide, type TriggerState } from './decide.js';

export interface TriggerOptions {
  threshold: number;
  cooldownMs: number;
  /** Monitoring evidence older than this is ignored (see decide). */
  evidenceMaxAgeMs: number;
  /** Evidence of drift waits for this many labelled predictions of the drifted period. */
  minDriftLabels: number;
  /** Re-counting new rows after a labels commit at most this often (customers commits always count). */
  recountMs?: number;
  groupId?: string;
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
 * Follows batch.ingested (customers and outcomes landing) and, from monitoring, drift.detected and
 * performance.degraded. Rows: a retraining once the rows new since the last training (promoted or not)
 * pass the threshold. Evidence: a retraining once enough labelled predictions of the drifted period are
 * in the lake (retrain.deferred says it waits). Never a second while one is running.
 */
export async function startRetrainTrigger(
  ctx: PipelineContext,
  options: TriggerOptions,
): Promise<RunningConsumer> {
  const state: TriggerState = { pending: undefined, cooldownUntil: 0, waiting: undefined };
  let lastCount = 0;
  const request = async (reason: string, details: Record<string, unknown>) => {
    const correlationId = `retrain-${randomUUID()}`;
    state.pending = correlationId;
    state.waiting = undefined;
    await ctx.emit('retrain.requested', { reason, ...details }, correlationId);
    ctx.log.info({ correlationId, reason }, 'retraining requested');
  };
  const onIngested = async (table: unknown) => {
    const { customersTable, groundTruthTable } = ctx.names;
    if (table !== customersTable && table !== groundTruthTable) return;
    if (state.pending) return;
    // outcomes land every couple of seconds under traffic: count at most every `recountMs` for them
    if (table === groundTruthTable && Date.now() - lastCount < (options.recountMs ?? 5_000)) return;
    lastCount = Date.now();
    if (state.waiting) {
      const waiting = state.waiting;
      const labelled = await labelledSince(ctx, waiting.since);
      const decision = decide(state, { kind: 'labels', labelled, minLabels: options.minDriftLabels });
      ctx.log.info({ labelled, decision }, 'drift evidence waiting for labels');
      if (decision.action === 'request') {
        state.cooldownUntil = Date.now() + options.cooldownMs;
        await request(decision.reason, {
          trigger: waiting.type,
          evidence: waiting.payload,
          labelled,
          trafficSince: new Date(waiting.since).toISOString(),
        });
        return;
      }
    }
    const found = await newRowsSinceLastTraining(ctx);
    const decision = decide(state, { kind: 'rows', newRows: found.total, threshold: options.threshold });
    ctx.log.info({ table, rows: found, decision }, 'rows since the last training');
    if (decision.action === 'request') {
      await request(decision.reason, {
        trigger: 'rows',
        rows: found.total,
        customers: found.customers,
        traffic: found.traffic,
        sinceVersion: found.since?.version ?? null,
      });
    }
  };
  const onEvidence = async (event: PipelineEvent) => {
    const payload = eventPayload(event);
    const about = payload['modelVersion'];
    const type = event.type as 'drift.detected' | 'performance.degraded';
    const eventTime = Number(event.event_time);
    // The drifted period begins when the monitor could tell: its window mixes clients from before the
    // change (a no-drift baseline counted as "drifted" labels taught a retraining nothing, measured).
    const since = eventTime;
    const decision = decide(state, {
      kind: 'evidence',
      type,
      now: Date.now(),
      eventTime,
      maxAgeMs: options.evidenceMaxAgeMs,
      ...(typeof about === 'string' ? { about } : {}),
      serving: await servingVersions(ctx),
      labelled: await labelledSince(ctx, since),
      minLabels: options.minDriftLabels,
      since,
    });
    ctx.log.info({ type, modelVersion: about, decision }, 'monitoring evidence');
    if (decision.action === 'request') {
      state.cooldownUntil = Date.now() + options.cooldownMs;
      await request(decision.reason, {
        trigger: type,
        evidence: payload,
        trafficSince: new Date(since).toISOString(),
      });
    } else if (decision.action === 'wait' && state.waiting === undefined) {
      state.waiting = {
        type,
        about: typeof about === 'string' ? about : undefined,
        eventTime,
        since,
        payload,
      };
      await ctx.emit('retrain.deferred', { reason: decision.reason, trigger: type }, event.correlation_id);
    }
  };
  const onEvent = async (event: PipelineEvent) => {
    switch (event.type) {
      case 'batch.ingested':
        return onIngested(eventPayload(event)['table']);
      case 'drift.detected':
      case 'performance.degraded':
        return onEvidence(event);
      case 'model.trained':
      case 'retrain.skipped':
      case 'retrain.failed':
        if (event.correlation_id === state.pending) state.pending = undefined;
        return;
      default:
        return;
    }
  };
  return consumeEvents(ctx.kafka, ctx.registry, {
    groupId: options.groupId ?? GROUP.retrainTrigger,
    topic: ctx.names.eventsTopic,
    fromBeginning: false,
    onEvent,
    log: ctx.log,
  });
}
