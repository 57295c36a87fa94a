import { randomUUID } from 'node:crypto';
import { BankopsError } from '../../src/errors/index.js';
import { encodeRows, type RawRecord } from '../../src/features/index.js';
import type { Prediction as PredictionEvent } from '../../src/kafka/generated/types.js';
import type { Routing } from '../../src/registry/index.js';
import type { ServingDeps } from '../deps.js';
import { Lease, type ModelHandle, type Role } from '../model/handle.js';
import type { Prediction } from '../schemas/predict.js';
import { checkForModel } from './validate.js';
import { routeVariant } from './variants.js';

export interface ScoreItem {
  /** The raw columns only (no routing key). */
  record: RawRecord;
  customerKey: string | undefined;
  /** Where the record sits in the request, for error messages: `records[3]`, `dataframe_split.data[0]`. */
  field: string;
}

/** The champion every request needs; 503 with the last load error while there is none. */
export function requireChampion(deps: ServingDeps, lease: Lease): ModelHandle {
  const champion = lease.hold(deps.models.current('champion'));
  if (champion === undefined) {
    const error = deps.models.lastLoadError;
    throw new BankopsError('SERVICE_UNAVAILABLE', 'no model is loaded yet', {
      hint: error
        ? `The last load failed: ${error.message}`
        : 'The champion is still loading; see GET /ready.',
    });
  }
  return champion;
}

/** Above this many rows a request is scored by XGBoost itself (measured crossover: ~30–60 rows). */
const COMPILED_MAX_ROWS = 32;

function scoreGroup(
  deps: ServingDeps,
  handle: ModelHandle,
  variant: string,
  records: RawRecord[],
): Float32Array {
  const end = deps.metrics.scoringDuration.startTimer({ variant });
  const encoded = encodeRows(handle.bundle.spec, records);
  // Compiled trees answer small requests (the library's per-call overhead dwarfs one row's trees);
  // batches go to XGBoost, which is faster per row.
  const compiled = handle.bundle.compiled;
  const scores =
    compiled !== undefined && encoded.rows <= COMPILED_MAX_ROWS
      ? compiled.predict(encoded.data, encoded.rows)
      : handle.bundle.booster.inplacePredict(encoded.data, encoded.rows);
  end();
  deps.metrics.scoredRows.observe({ variant }, records.length);
  return scores;
}

/** The models a request may meet, held for its whole life, and the split that chooses between them. */
interface Leased {
  routing: Routing;
  champion: ModelHandle;
  challenger: ModelHandle | undefined;
  models: Record<Role, ModelHandle | undefined>;
}

/** Lease: the champion (503 without one) and, when the split may need it, the challenger. */
function leaseModels(deps: ServingDeps, lease: Lease): Leased {
  const champion = requireChampion(deps, lease);
  // the split comes from the challenger's rollout in the registry, else from serving's own settings
  const routing = deps.models.routing();
  const challenger = routing.mode === 'champion' ? undefined : lease.hold(deps.models.current('challenger'));
  return { routing, champion, challenger, models: { champion, challenger } };
}

/** Route: which model answers each item (sticky by customer key in `ab` mode). */
function routeItems(leased: Leased, items: readonly ScoreItem[]): Role[] {
  return items.map((item) => routeVariant(leased.routing, item.customerKey, leased.challenger !== undefined));
}

/** Validate: every record against the model that will answer it (a 400 names the first bad field). */
function validateItems(leased: Leased, items: readonly ScoreItem[], roles: readonly Role[]): void {
  items.forEach((item, i) => {
    const handle = leased.models[roles[i] as Role] as ModelHandle;
    checkForModel(handle.bundle.spec, item.record, item.field, handle.version.version);
  });
}

/** Score: one batch per model, the probabilities put back in request order. */
function scoreRouted(
  deps: ServingDeps,
  leased: Leased,
  items: readonly ScoreItem[],
  roles: readonly Role[],
): Float64Array {
  const probabilities = new Float64Array(items.length);
  for (const role of ['champion', 'challenger'] as const) {
    const handle = leased.models[role];
    const indices = roles.flatMap((r, i) => (r === role ? [i] : []));
    if (handle === undefined || indices.length === 0) continue;
    const scores = scoreGroup(
      deps,
      handle,
      role,
      indices.map((i) => (items[i] as ScoreItem).record),
    );
    indices.forEach((index, k) => (probabilities[index] = scores[k] as number));
  }
  return probabilities;
}

/** Build: the answers and their events (plus the shadow's events, scored here). */
function buildAnswers(
  deps: ServingDeps,
  leased: Leased,
  items: readonly ScoreItem[],
  roles: readonly Role[],
  probabilities: Float64Array,
  route: string,
  startedAt: number,
): { predictions: Prediction[]; events: PredictionEvent[] } {
  const latencyMs = performance.now() - startedAt;
  const now = Date.now();
  const predictions: Prediction[] = [];
  const events: PredictionEvent[] = [];
  items.forEach((item, i) => {
    const role = roles[i] as Role;
    const handle = leased.models[role] as ModelHandle;
    const probability = probabilities[i] as number;
    const prediction: Prediction = {
      predictionId: randomUUID(),
      probability,
      decision: probability >= handle.threshold,
      threshold: handle.threshold,
      modelVersion: handle.version.version,
      variant: role,
    };
    predictions.push(prediction);
    events.push(toEvent(deps, prediction, item, now, latencyMs, route));
  });
  if (leased.routing.mode === 'shadow' && leased.challenger !== undefined) {
    events.push(...shadowEvents(deps, leased.challenger, items, predictions, now, route, startedAt));
  }
  return { predictions, events };
}

/** Publish: Kafka acknowledges every event before the caller may answer; then the counters move. */
async function publish(deps: ServingDeps, events: readonly PredictionEvent[]): Promise<void> {
  await deps.events.publishPredictions(events);
  countPredictions(deps, events);
}

/**
 * Leases the models, routes each record, validates it against the model that will answer it, scores per
 * model, builds one event per answer (and per shadow score) and publishes them, waiting for Kafka's
 * acknowledgement: only then may the caller answer. The lease spans the whole request, so a swap meanwhile
 * never frees a model under it.
 */
export async function scoreItems(
  deps: ServingDeps,
  items: readonly ScoreItem[],
  route: string,
  startedAt: number,
): Promise<{ predictions: Prediction[]; championVersion: string }> {
  const lease = new Lease();
  try {
    const leased = leaseModels(deps, lease);
    const roles = routeItems(leased, items);
    validateItems(leased, items, roles);
    const probabilities = scoreRouted(deps, leased, items, roles);
    const { predictions, events } = buildAnswers(deps, leased, items, roles, probabilities, route, startedAt);
    await publish(deps, events);
    return { predictions, championVersion: leased.champion.version.version };
  } finally {
    lease.release();
  }
}

/** One counter update per label set, not per prediction: a batch of a thousand shares a handful. */
function countPredictions(deps: ServingDeps, events: readonly PredictionEvent[]): void {
  const counts = new Map<string, { labels: Record<string, string>; n: number }>();
  for (const event of events) {
    const key = `${event.decision ? 1 : 0}\u0000${event.model_version}\u0000${event.variant}`;
    const entry = counts.get(key);
    if (entry) entry.n += 1;
    else
      counts.set(key, {
        labels: {
          decision: String(event.decision),
          model_version: event.model_version,
          variant: event.variant,
        },
        n: 1,
      });
  }
  for (const { labels, n } of counts.values()) deps.metrics.predictions.inc(labels, n);
}

function toEvent(
  deps: ServingDeps,
  p: Omit<Prediction, 'variant'> & { variant: string },
  item: ScoreItem,
  now: number,
  latencyMs: number,
  route: string,
  shadowOf: string | null = null,
): PredictionEvent {
  return {
    prediction_id: p.predictionId,
    event_time: now,
    model_name: deps.models.modelName,
    model_version: p.modelVersion,
    variant: p.variant,
    customer_key: item.customerKey ?? null,
    features_json: JSON.stringify(item.record),
    probability: p.probability,
    decision: p.decision,
    threshold: p.threshold,
    latency_ms: latencyMs,
    route,
    shadow_of: shadowOf,
  };
}

/**
 * The challenger scores the same records in shadow mode; its answers are only logged (variant `shadow`).
 * Records its spec refuses are skipped: a shadow must never fail the champion's answer.
 */
function shadowEvents(
  deps: ServingDeps,
  challenger: ModelHandle,
  items: readonly ScoreItem[],
  answered: readonly Prediction[],
  now: number,
  route: string,
  startedAt: number,
): PredictionEvent[] {
  const accepted = items.filter((item) => {
    try {
      checkForModel(challenger.bundle.spec, item.record, item.field, challenger.version.version);
      return true;
    } catch {
      return false;
    }
  });
  if (accepted.length === 0) return [];
  const scores = scoreGroup(
    deps,
    challenger,
    'shadow',
    accepted.map((item) => item.record),
  );
  const latencyMs = performance.now() - startedAt;
  const answerOf = new Map(items.map((item, i) => [item, answered[i]?.predictionId ?? null]));
  return accepted.map((item, k) => {
    const probability = scores[k] as number;
    return toEvent(
      deps,
      {
        predictionId: randomUUID(),
        probability,
        decision: probability >= challenger.threshold,
        threshold: challenger.threshold,
        modelVersion: challenger.version.version,
        variant: 'shadow',
      },
      item,
      now,
      latencyMs,
      route,
      // the shadow shares the outcome of the answer it shadows: the monitor pairs them
      answerOf.get(item) ?? null,
    );
  });
}
