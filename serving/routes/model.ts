import type { ServingDeps } from '../deps.js';
import type { ServingApp } from './common.js';
import type { ModelHandle } from '../model/handle.js';
import { ModelResponse, type ModelSummary } from '../schemas/model.js';

const METRICS = [
  'rocAuc',
  'prAuc',
  'f1',
  'accuracy',
  'precision',
  'recall',
  'logLoss',
  'brier',
  'profit',
] as const;

function summary(deps: ServingDeps, handle: ModelHandle | undefined): ModelSummary | null {
  if (handle === undefined) return null;
  const { meta, spec } = handle.bundle;
  const test = meta.metrics.test;
  return {
    version: handle.version.version,
    aliases: deps.models.aliasesOf(handle.version.version),
    loadedAt: handle.loadedAt.toISOString(),
    threshold: handle.threshold,
    featureSpecHash: meta.featureSpecHash,
    includeDuration: spec.includeDuration,
    createdAt: meta.createdAt,
    xgboostVersion: meta.xgboostVersion,
    training: {
      table: meta.source.table,
      snapshotId: meta.source.snapshotId,
      rowCount: meta.source.rowCount,
    },
    metrics: Object.fromEntries(
      METRICS.map((name) => [name, Number.isFinite(test[name]) ? test[name] : null]),
    ),
  };
}

export function modelRoute(app: ServingApp, deps: ServingDeps): void {
  app.get(
    '/v1/model',
    {
      schema: {
        summary: 'The served model versions, their aliases, metrics and the last load error',
        tags: ['operations'],
        response: { 200: ModelResponse },
      },
    },
    async () => {
      const routing = deps.models.routing();
      const r = routing.rollout;
      return {
        name: deps.models.modelName,
        mode: routing.mode,
        share: routing.share,
        rollout: r
          ? {
              policy: r.policy,
              challenger: r.challenger,
              champion: r.champion,
              startedAt: r.startedAt,
              deadline: r.deadline,
            }
          : null,
        champion: summary(deps, deps.models.current('champion')),
        challenger: summary(deps, deps.models.current('challenger')),
        lastLoadError: deps.models.lastLoadError,
        lastPollError: deps.models.lastPollError,
        lastPollAt: deps.models.lastPollAt?.toISOString() ?? null,
      };
    },
  );
}
