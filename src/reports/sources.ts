import type { Config } from '../config/index.js';
import { errorMessage } from '../errors/index.js';
import { createKafka } from '../kafka/client.js';
import { PIPELINE_EVENTS_TOPIC } from '../kafka/events.js';
import { createRegistry } from '../kafka/registry.js';
import type { Logger } from '../logging/index.js';
import { readPipelineEvents, type HistoryEntry } from '../pipeline/history.js';
import { MlflowClient } from '../registry/index.js';

/** The registry and event-history inputs of the stakeholder report; a source that fails is reported, not fatal. */

export interface VersionInfo {
  version: string;
  created: Date | null;
  status: string;
  runId: string | null;
  aliases: string[];
  tags: Record<string, string>;
}

export type Sourced<T> = { ok: true; value: T } | { ok: false; error: string };

async function attempt<T>(what: string, log: Logger, work: () => Promise<T>): Promise<Sourced<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    log.warn({ err: error }, `report: ${what} unavailable`);
    return { ok: false, error: errorMessage(error) };
  }
}

export function modelVersions(config: Config, log: Logger, model: string): Promise<Sourced<VersionInfo[]>> {
  return attempt('MLflow registry', log, async () => {
    const mlflow = new MlflowClient(config, { log });
    const [versions, aliases] = await Promise.all([
      mlflow.searchModelVersions(model),
      mlflow.getAliases(model),
    ]);
    const byVersion = new Map<string, string[]>();
    for (const [alias, version] of Object.entries(aliases ?? {})) {
      byVersion.set(version, [...(byVersion.get(version) ?? []), alias]);
    }
    return versions.map((v) => ({
      version: v.version,
      created: v.creation_timestamp ? new Date(v.creation_timestamp) : null,
      status: v.status,
      runId: v.run_id ?? null,
      aliases: (byVersion.get(v.version) ?? []).sort(),
      tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value])),
    }));
  });
}

export function pipelineEvents(
  config: Config,
  log: Logger,
  topic = PIPELINE_EVENTS_TOPIC,
  timeoutMs = 30_000,
): Promise<Sourced<HistoryEntry[]>> {
  return attempt('pipeline history', log, () =>
    readPipelineEvents(createKafka(config, 'bankops-report'), createRegistry(config), topic, timeoutMs),
  );
}
