import type { KafkaClient } from '../kafka/client.js';
import { eventPayload } from '../kafka/events.js';
import type { PipelineEvent } from '../kafka/generated/types.js';
import { readToEnd } from '../kafka/read.js';
import type { SchemaRegistry } from '../kafka/registry.js';

export interface HistoryEntry {
  time: string;
  type: string;
  component: string;
  correlationId: string | null;
  payload: Record<string, unknown>;
}

/** Every event on the pipeline topic, oldest first (read to the end offsets as they were at the call). */
export async function readPipelineEvents(
  kafka: KafkaClient,
  registry: SchemaRegistry,
  topic: string,
  timeoutMs = 30_000,
): Promise<HistoryEntry[]> {
  const events = (await readToEnd(kafka, registry, topic, timeoutMs)).map((r) => r.value as PipelineEvent);
  return events
    .sort((a, b) => a.event_time - b.event_time)
    .map((e) => ({
      time: new Date(e.event_time).toISOString(),
      type: e.type,
      component: e.component,
      correlationId: e.correlation_id,
      payload: eventPayload(e),
    }));
}

/** One line per event: what it was about, in a few words. */
export function summarize(entry: HistoryEntry): string {
  const p = entry.payload;
  const pick = (...keys: string[]) =>
    keys
      .filter((k) => p[k] !== undefined && p[k] !== null)
      .map((k) => `${k}=${typeof p[k] === 'object' ? JSON.stringify(p[k]) : String(p[k])}`)
      .join(' ');
  switch (entry.type) {
    case 'batch.published':
      return pick('batchId', 'rows', 'source', 'scenario');
    case 'batch.ingested':
      return pick('table', 'rows', 'snapshotId', 'batchIds');
    case 'retrain.requested':
      return pick('trigger', 'reason');
    case 'retrain.deferred':
    case 'retrain.skipped':
      return pick('trigger', 'reason');
    case 'model.trained': {
      const sources = Array.isArray(p['sources'])
        ? (p['sources'] as Array<{ table: string; snapshotId: string; rows: number }>)
            .filter((s) => !s.table.endsWith('ground_truth'))
            .map((s) => `${s.table}@${s.snapshotId} (${s.rows} rows)`)
            .join(' + ')
        : undefined;
      const holdout = p['holdout'] as { rows?: number; traffic?: number; description?: string } | undefined;
      return [
        pick('version', 'rows'),
        sources ? `from ${sources}` : pick('snapshotId'),
        holdout?.rows !== undefined ? `holdout ${holdout.rows} rows (${holdout.traffic ?? 0} traffic)` : '',
      ]
        .filter(Boolean)
        .join('; ');
    }
    case 'model.promoted':
    case 'model.rejected':
      return pick('version', 'champion', 'reason');
    case 'rollout.started': {
      const r = (p['rollout'] ?? {}) as {
        policy?: string;
        share?: number;
        champion?: string;
        deadline?: string;
      };
      const split = r.policy === 'canary' ? ` share=${r.share ?? '?'}` : '';
      return `version=${String(p['version'])} policy=${r.policy ?? '?'}${split} champion=${r.champion ?? '?'} until=${r.deadline ?? '?'}`;
    }
    case 'rollout.decided':
      return pick('version', 'action', 'by', 'reason');
    case 'rollout.rolled-back':
      return pick('version', 'champion', 'reason');
    case 'retrain.failed':
      return pick('code', 'cause');
    case 'drift.detected':
      return pick('modelVersion', 'variant', 'features');
    case 'performance.degraded':
      return pick('modelVersion', 'variant', 'reasons');
    case 'alert.fired':
    case 'alert.resolved': {
      const labels = (p['labels'] ?? {}) as Record<string, string>;
      const about = ['model_version', 'variant', 'feature']
        .filter((k) => labels[k] !== undefined)
        .map((k) => `${k}=${labels[k]}`)
        .join(' ');
      return `${pick('alertname', 'severity')} ${about}`.trim();
    }
    default:
      return JSON.stringify(p).slice(0, 160);
  }
}
