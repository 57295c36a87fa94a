import type { Config } from '../../config/index.js';
import type { PipelineContext } from '../../pipeline/context.js';
import { readPipelineEvents, summarize, type HistoryEntry } from '../../pipeline/history.js';

import { setTimeout as sleep } from 'node:timers/promises';

/** What the demo prints of the pipeline topic: the lake writer's commits of predictions are not the story. */
function told(e: HistoryEntry): boolean {
  return (
    e.type !== 'batch.published' && (e.type !== 'batch.ingested' || e.payload['table'] === 'bank.customers')
  );
}

/** Polls the pipeline events after the first `skip` until `done` holds for them or the time is up. */
export async function waitForEvents(
  ctx: PipelineContext,
  skip: number,
  done: (fresh: HistoryEntry[]) => boolean,
  timeoutMs: number,
): Promise<{ events: HistoryEntry[]; done: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = (await readPipelineEvents(ctx.kafka, ctx.registry, ctx.names.eventsTopic)).slice(skip);
    const finished = done(fresh);
    if (finished || Date.now() > deadline) return { events: fresh.filter(told), done: finished };
    await sleep(2_000);
  }
}

/** How many events the pipeline topic holds now: later waits look only at what comes after. */
export async function eventCount(ctx: PipelineContext): Promise<number> {
  return (await readPipelineEvents(ctx.kafka, ctx.registry, ctx.names.eventsTopic)).length;
}

/**
 * The first retrain.requested that `which` accepts, answered: its model.trained was judged (promoted or
 * rejected), it was skipped (nothing new), or it failed. The correlation id ties the chain's events.
 */
export function retrainDecided(which: (requested: HistoryEntry) => boolean) {
  return (fresh: HistoryEntry[]): boolean => {
    const requested = fresh.find((e) => e.type === 'retrain.requested' && which(e));
    if (requested === undefined) return false;
    const same = fresh.filter((e) => e.correlationId === requested.correlationId);
    return same.some((e) =>
      [
        'model.promoted',
        'model.rejected',
        'rollout.rolled-back',
        'retrain.failed',
        'retrain.skipped',
      ].includes(e.type),
    );
  };
}

export const EVIDENCE_TRIGGERS = new Set(['drift.detected', 'performance.degraded']);

/** One value of an instant query, or why there is none. */
export async function promValue(config: Config, query: string): Promise<string> {
  try {
    const response = await fetch(`${config.urls.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await response.json()) as { data?: { result?: Array<{ value?: [number, string] }> } };
    const value = body.data?.result?.[0]?.value?.[1];
    return value === undefined ? 'no data yet' : Number(value).toFixed(3);
  } catch (error) {
    return `unavailable (${String(error)})`;
  }
}

/**
 * An alert about one of `versions` that became active after `since` (Alertmanager's startsAt), fired
 * through the webhook: alerts left from an earlier run, or about other versions, do not count.
 */
export function firedAfter(e: HistoryEntry, since: number, versions: ReadonlySet<string>): boolean {
  const startsAt = Date.parse(String(e.payload['startsAt'] ?? ''));
  const labels = (e.payload['labels'] ?? {}) as Record<string, string>;
  return (
    e.type === 'alert.fired' &&
    Number.isFinite(startsAt) &&
    startsAt >= since &&
    versions.has(String(labels['model_version']))
  );
}

export function firedSince(
  fresh: readonly HistoryEntry[],
  since: number,
  versions: ReadonlySet<string>,
): Set<string> {
  return new Set(
    fresh.filter((e) => firedAfter(e, since, versions)).map((e) => String(e.payload['alertname'])),
  );
}

/** The versions model.promoted events made champion. */
export function promotedVersions(events: readonly HistoryEntry[]): string[] {
  return events.filter((e) => e.type === 'model.promoted').map((e) => String(e.payload['version']));
}

/** The alerts need their `for: 2m` after the monitor's first verdict, a scrape and a rule run (a cap, not a wait). */
export const ALERT_WAIT_MS = 240_000;

/** Names of the alerts Prometheus has firing now, with the model version they are about. */
export async function firingAlerts(config: Config): Promise<string[]> {
  try {
    const response = await fetch(`${config.urls.prometheus}/api/v1/alerts`);
    const body = (await response.json()) as {
      data?: { alerts?: Array<{ state: string; labels: Record<string, string> }> };
    };
    const names = (body.data?.alerts ?? [])
      .filter((a) => a.state === 'firing')
      .map(
        (a) =>
          String(a.labels['alertname']) +
          (a.labels['model_version'] ? ` (v${a.labels['model_version']})` : ''),
      );
    return [...new Set(names)].sort();
  } catch (error) {
    return [`unavailable (${String(error)})`];
  }
}

/** An event as the demo prints it: time, type, and what it says. */
export const eventLine = (e: HistoryEntry): string => `   ${e.time}  ${e.type.padEnd(20)} ${summarize(e)}`;

/** The chain's own events (alerts are shown in their own step). */
export const chainEvent = (e: HistoryEntry): boolean => !e.type.startsWith('alert.');
