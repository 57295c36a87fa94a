import type { Config } from '../config/index.js';
import { withLake } from '../lake/duckdb.js';
import { logger } from '../logging/index.js';
import type { HistoryEntry } from '../pipeline/history.js';
import { chartScripts } from './assets.js';
import { campaignEconomics, type CampaignEconomics } from './economics.js';
import { errorMessage } from '../errors/index.js';
import {
  barSpec,
  gridSpec,
  curveSpec,
  intervalSpec,
  rankingSpec,
  timelineSpec,
  timeSeriesSpec,
  type TimePoint,
} from './charts.js';
import { renderPage, type Block, type Cell, type Page, type Section } from './html.js';
import {
  featureDrift,
  latestValues,
  metricSeries,
  monitoringOverview,
  MONITORING_TABLE,
  PERFORMANCE_METRICS,
  type FeaturePoint,
  type LatestRow,
  type MonitoringOverview,
  type SeriesPoint,
} from './monitoring-queries.js';
import { modelVersions, pipelineEvents, type Sourced, type VersionInfo } from './sources.js';

export interface ReportOptions {
  monitoringTable?: string;
  modelName?: string;
  eventsTopic?: string;
  eventsTimeoutMs?: number;
  now?: Date;
}

export interface ReportResult {
  html: string;
  charts: number;
  monitoringRows: number;
}

interface Monitoring {
  overview: MonitoringOverview;
  performance: SeriesPoint[];
  volume: SeriesPoint[];
  driftSeries: SeriesPoint[];
  features: FeaturePoint[];
  latest: LatestRow[];
}

const iso = (d: Date) => d.toISOString();
const shortTime = (d: Date) => d.toISOString().slice(5, 16).replace('T', ' ');
const series = (p: SeriesPoint) => `v${p.modelVersion} ${p.variant}`;
const str = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

async function readMonitoring(config: Config, table: string): Promise<Sourced<Monitoring | undefined>> {
  try {
    const value = await withLake(config, async (lake) => {
      const overview = await monitoringOverview(lake, table);
      if (!overview) return undefined;
      return {
        overview,
        performance: await metricSeries(lake, table, overview, PERFORMANCE_METRICS),
        volume: await metricSeries(
          lake,
          table,
          overview,
          ['predictions', 'labels', 'label_coverage', 'positive_rate', 'profit_eur'],
          {
            includeInsufficient: true,
          },
        ),
        driftSeries: await metricSeries(
          lake,
          table,
          overview,
          ['drifted_features', 'prediction_drift_score'],
          {
            includeInsufficient: true,
          },
        ),
        features: await featureDrift(lake, table, overview),
        latest: await latestValues(lake, table, ['predictions', 'labels', 'roc_auc', 'f1', 'profit_eur']),
      };
    });
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

async function readEconomics(config: Config, model: string): Promise<Sourced<CampaignEconomics | undefined>> {
  try {
    return { ok: true, value: await withLake(config, (lake) => campaignEconomics(lake, config, model)) };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

function points(rows: SeriesPoint[], metric: string): TimePoint[] {
  return rows
    .filter((r) => r.metric === metric)
    .map((r) => ({ time: iso(r.time), value: r.value, series: series(r) }));
}

function unavailable(what: string, error: string): Block {
  return { kind: 'note', text: `${what} could not be read: ${error}` };
}

interface RecordedComparison {
  metric: string;
  difference: number;
  low: number;
  high: number;
}

/** The gate's paired comparison a decision event carries (none for a first model, or old events). */
function comparisonOf(e: HistoryEntry): RecordedComparison | undefined {
  const c = e.payload['comparison'] as Partial<RecordedComparison> | null | undefined;
  return c && typeof c.difference === 'number' && typeof c.low === 'number' && typeof c.high === 'number'
    ? { metric: str(c.metric), difference: c.difference, low: c.low, high: c.high }
    : undefined;
}

const DECISIONS = new Set(['model.promoted', 'model.rejected', 'rollout.started', 'rollout.rolled-back']);

function decisions(events: HistoryEntry[]): HistoryEntry[] {
  return events.filter((e) => DECISIONS.has(e.type));
}

/** What a decision event says, in a word or two. */
function decisionName(e: HistoryEntry): string {
  const policy = String((e.payload['rollout'] as { policy?: string } | undefined)?.policy ?? 'rollout');
  switch (e.type) {
    case 'model.promoted':
      return e.payload['rollout'] ? `promoted (${policy})` : 'promoted';
    case 'rollout.started':
      return `${policy} started`;
    case 'rollout.rolled-back':
      return `rolled back (${policy})`;
    default:
      return 'rejected';
  }
}

function versionsSection(versions: Sourced<VersionInfo[]>, events: HistoryEntry[], model: string): Section {
  const blocks: Block[] = [];
  if (!versions.ok) blocks.push(unavailable('The MLflow registry', versions.error));
  else if (versions.value.length === 0)
    blocks.push({ kind: 'text', text: `No version of ${model} is registered yet.` });
  else {
    blocks.push({
      kind: 'table',
      caption: `Versions of ${model} (registry aliases and the promotion gate's recorded reason)`,
      columns: ['version', 'registered', 'aliases', 'status', 'decision', 'reason'],
      rows: versions.value.map((v): Cell[] => {
        const promoted = v.tags['bankops.promotion'];
        const rejected = v.tags['bankops.rejection'];
        return [
          `v${v.version}`,
          v.created ? iso(v.created) : null,
          v.aliases.join(', ') || null,
          v.status,
          promoted !== undefined ? 'promoted' : rejected !== undefined ? 'rejected' : 'not decided',
          promoted ?? rejected ?? null,
        ];
      }),
    });
  }
  const scored = decisions(events).flatMap((e) => {
    const metric = str(e.payload['metric']);
    const value = (e.payload['candidateMetrics'] as Record<string, unknown> | null | undefined)?.[metric];
    return typeof value === 'number'
      ? [
          {
            feature: `v${str(e.payload['version'])}`,
            score: value,
            group: e.type === 'model.promoted' ? 'promoted' : 'rejected',
            metric,
          },
        ]
      : [];
  });
  if (scored.length > 0) {
    blocks.push({
      kind: 'chart',
      title: 'Candidate score on its holdout at the promotion decision',
      spec: rankingSpec([...new Set(scored.map((s) => s.metric))].join(' / '), scored),
      caption: 'Each candidate is scored with the champion on the same holdout; the gate compares the two.',
    });
  }
  return { id: 'models', title: 'Model versions', blocks };
}

function decisionsSection(events: Sourced<HistoryEntry[]>): Section {
  if (!events.ok)
    return {
      id: 'decisions',
      title: 'Promotions and rejections',
      blocks: [unavailable('The pipeline history (Kafka)', events.error)],
    };
  const list = decisions(events.value);
  const timeline = events.value.filter((e) => /^(model|retrain|rollout|alert)\./.test(e.type));
  const blocks: Block[] = [];
  if (list.length === 0) blocks.push({ kind: 'text', text: 'No promotion decision has been recorded yet.' });
  else {
    const fixed = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : null);
    blocks.push({
      kind: 'table',
      caption:
        'Each decision compares the candidate with the champion on rows neither saw; a paired bootstrap gives the interval of the difference, and only a lower bound above the margin promotes.',
      columns: [
        'time',
        'decision',
        'version',
        'champion then',
        'difference [interval]',
        'holdout rows (subscribed)',
        'held-out traffic ROC-AUC: champion → candidate',
        'reason',
        'holdout',
      ],
      rows: list.map((e) => {
        const c = comparisonOf(e);
        const holdout = e.payload['holdout'] as Record<string, unknown> | undefined;
        const traffic = e.payload['traffic'] as Record<string, unknown> | null | undefined;
        return [
          e.time,
          decisionName(e),
          `v${str(e.payload['version'])}`,
          e.payload['champion'] ? `v${str(e.payload['champion'])}` : null,
          c ? `${fixed(c.difference)} [${fixed(c.low)}, ${fixed(c.high)}]` : null,
          holdout?.['rows'] !== undefined ? `${str(holdout['rows'])} (${str(holdout['positives'])})` : null,
          traffic
            ? `${fixed(traffic['champion']) ?? 'n/a'} → ${fixed(traffic['candidate'])} (${str(traffic['rows'])} clients)`
            : null,
          str(e.payload['reason']),
          str(holdout?.['description']),
        ];
      }),
    });
    const intervals = list.flatMap((e) => {
      const c = comparisonOf(e);
      return c
        ? [
            {
              label: `v${str(e.payload['version'])} vs v${str(e.payload['champion'])}`,
              difference: c.difference,
              low: c.low,
              high: c.high,
              group: decisionName(e),
              metric: c.metric,
            },
          ]
        : [];
    });
    if (intervals.length > 0) {
      blocks.push({
        kind: 'chart',
        title: 'The gate: difference to the champion, with its interval',
        spec: intervalSpec([...new Set(intervals.map((i) => i.metric))].join(' / '), intervals),
        caption: 'Promoted only when the whole interval lies above the margin (0 by default).',
      });
    }
  }
  if (timeline.length > 0) {
    blocks.push({
      kind: 'chart',
      title: 'Pipeline timeline',
      spec: timelineSpec(
        timeline.map((e) => ({
          time: e.time,
          lane: e.type,
          label:
            `${str(e.payload['version'] ?? e.payload['alertname'] ?? e.payload['trigger'])} ${str(e.payload['reason'] ?? e.payload['severity'] ?? '')}`.trim(),
        })),
      ),
    });
  }
  return { id: 'decisions', title: 'Promotions and rejections', blocks };
}

function economicsSection(economics: Sourced<CampaignEconomics | undefined>, config: Config): Section {
  const id = 'economics';
  const title = 'The campaign’s money and the models’ calibration';
  if (!economics.ok)
    return { id, title, blocks: [unavailable('The labelled traffic (Iceberg)', economics.error)] };
  const value = economics.value;
  if (!value || value.versions.length === 0) {
    return {
      id,
      title,
      blocks: [{ kind: 'text', text: 'No labelled traffic yet: serve, and send the outcomes.' }],
    };
  }
  const { costPerCall, valuePerSubscription } = config.economics;
  const eur = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : null);
  const blocks: Block[] = [
    {
      kind: 'text',
      text: `A call costs ${costPerCall} EUR and a subscription is worth ${valuePerSubscription} EUR (BANKOPS_COST_PER_CALL, BANKOPS_VALUE_PER_SUBSCRIPTION). Realized: what the calls each version decided earned among the customers whose outcome came back; expected: what its scores promised for the same calls.`,
    },
    {
      kind: 'table',
      caption: 'Per version and variant, over its labelled traffic',
      columns: [
        'version',
        'variant',
        'labelled',
        'calls',
        'subscribed (of all labelled)',
        'realized EUR / 1,000 customers',
        'expected EUR / 1,000 customers',
        'realized EUR / 1,000 calls',
        'expected EUR / 1,000 calls',
        'ECE',
        'Brier',
      ],
      rows: value.versions.map((v): Cell[] => [
        `v${v.version}`,
        v.variant,
        v.labelled,
        v.calls,
        v.subscribed,
        eur(v.realizedPer1000),
        eur(v.expectedPer1000),
        eur(v.realizedPer1000Calls),
        eur(v.expectedPer1000Calls),
        Number.isFinite(v.ece) ? v.ece.toFixed(3) : null,
        Number.isFinite(v.brier) ? v.brier.toFixed(3) : null,
      ]),
    },
    {
      kind: 'chart',
      title: 'Expected vs realized profit per 1,000 calls',
      spec: rankingSpec(
        'EUR per 1,000 calls',
        value.versions
          .filter((v) => Number.isFinite(v.realizedPer1000Calls))
          .flatMap((v) => [
            {
              feature: `v${v.version} ${v.variant} expected`,
              score: v.expectedPer1000Calls,
              group: 'expected',
            },
            {
              feature: `v${v.version} ${v.variant} realized`,
              score: v.realizedPer1000Calls,
              group: 'realized',
            },
          ]),
      ),
      caption:
        'A realized profit far below the expected one: the scores promise more than the customers pay.',
    },
    {
      kind: 'chart',
      title: 'Reliability: observed subscription rate against the predicted probability',
      spec: curveSpec(
        'predicted probability (bin mean)',
        'observed subscription rate',
        value.versions.flatMap((v) =>
          v.reliability.map((b) => ({ x: b.predicted, y: b.observed, series: `v${v.version} ${v.variant}` })),
        ),
        true,
      ),
      caption:
        'Ten equal-width bins of predicted probability; a calibrated model follows the dashed diagonal.',
    },
  ];
  if (value.curve) {
    blocks.push({
      kind: 'chart',
      title: `Profit curve of v${value.curve.version} (the version with the most labelled traffic) over the decision threshold`,
      spec: curveSpec(
        'threshold (call when the probability is at least)',
        'EUR per 1,000 customers',
        value.curve.points.map((p) => ({
          x: p.threshold,
          y: p.per1000,
          series: `v${value.curve?.version ?? ''}`,
        })),
      ),
      caption:
        'Realized profit on the labelled traffic if every customer at or above the threshold were called; train with --threshold-objective profit to pick its top.',
    });
  }
  return { id, title, blocks };
}

function alertsSection(events: Sourced<HistoryEntry[]>): Section {
  if (!events.ok)
    return {
      id: 'alerts',
      title: 'Alerts',
      blocks: [unavailable('The pipeline history (Kafka)', events.error)],
    };
  const alerts = events.value.filter((e) => e.type === 'alert.fired' || e.type === 'alert.resolved');
  if (alerts.length === 0)
    return { id: 'alerts', title: 'Alerts', blocks: [{ kind: 'text', text: 'No alert has fired.' }] };
  const fired = alerts.filter((e) => e.type === 'alert.fired');
  const counts = new Map<string, number>();
  for (const e of fired)
    counts.set(str(e.payload['alertname']), (counts.get(str(e.payload['alertname'])) ?? 0) + 1);
  const blocks: Block[] = [
    {
      kind: 'table',
      columns: ['time', 'event', 'alert', 'severity', 'summary', 'started'],
      rows: alerts.map((e) => [
        e.time,
        e.type === 'alert.fired' ? 'fired' : 'resolved',
        str(e.payload['alertname']),
        str(e.payload['severity']) || null,
        str((e.payload['annotations'] as Record<string, unknown> | undefined)?.['summary']) || null,
        str(e.payload['startsAt']) || null,
      ]),
    },
  ];
  if (counts.size > 0) {
    blocks.push({
      kind: 'chart',
      title: 'Alerts fired, by name',
      spec: barSpec(
        'alert',
        [...counts].sort((a, b) => b[1] - a[1]).map(([category, count]) => ({ category, count })),
      ),
    });
  }
  return { id: 'alerts', title: 'Alerts', blocks };
}

function monitoringSections(monitoring: Sourced<Monitoring | undefined>, table: string): Section[] {
  if (!monitoring.ok)
    return [
      {
        id: 'performance',
        title: 'Performance over time',
        blocks: [unavailable(`The lake table ${table}`, monitoring.error)],
      },
    ];
  const m = monitoring.value;
  if (!m) {
    return [
      {
        id: 'no-monitoring',
        title: 'Monitoring',
        blocks: [
          {
            kind: 'note',
            text: `No monitoring data yet: the lake has no rows in ${table}. Performance, drift and realized profit appear once the monitor has written its first snapshot (the monitor consumer lands its history there).`,
          },
        ],
      },
    ];
  }
  const o = m.overview;
  const perf: Block[] = [
    {
      kind: 'text',
      text: `${o.rows.toLocaleString('en-US')} monitoring rows from ${o.first ? iso(o.first) : '—'} to ${o.last ? iso(o.last) : '—'}; model versions ${o.versions.map((v) => `v${v}`).join(', ')}. Charts use the ${o.window ?? '—'} window, averaged per ${o.bucketSeconds} s bucket (a window is reported again by every snapshot while late labels arrive).`,
    },
  ];
  for (const metric of PERFORMANCE_METRICS) {
    const pts = points(m.performance, metric);
    if (pts.length > 0) perf.push({ kind: 'chart', title: metric, spec: timeSeriesSpec(metric, pts) });
  }
  for (const metric of ['predictions', 'label_coverage']) {
    const pts = points(m.volume, metric);
    if (pts.length > 0)
      perf.push({
        kind: 'chart',
        title: metric,
        spec: timeSeriesSpec(metric, pts, { percent: metric === 'label_coverage' }),
      });
  }
  if (perf.length === 1)
    perf.push({ kind: 'text', text: 'No window has had enough labels for quality metrics yet.' });

  const drift: Block[] = [];
  if (m.features.length > 0) {
    drift.push({
      kind: 'chart',
      title: 'Feature drift score (highest over windows and versions)',
      spec: gridSpec(
        'time bucket (UTC)',
        'feature',
        'drift score',
        m.features.map((f) => ({ x: shortTime(f.time), y: f.feature, value: f.value })),
      ),
    });
  }
  for (const metric of ['drifted_features', 'prediction_drift_score']) {
    const pts = points(m.driftSeries, metric);
    if (pts.length > 0) drift.push({ kind: 'chart', title: metric, spec: timeSeriesSpec(metric, pts) });
  }
  if (drift.length === 0)
    drift.push({
      kind: 'text',
      text: 'No drift result has been recorded yet (drift needs a reference and enough predictions).',
    });

  const profitPoints = points(m.volume, 'profit_eur');
  const profit: Block[] = [
    {
      kind: 'text',
      text: 'Realized profit among labelled predictions: value of each subscription the model sent a call for, minus the cost of every call it recommended (the campaign economics of the training metrics).',
    },
  ];
  if (profitPoints.length > 0)
    profit.push({
      kind: 'chart',
      title: `profit per ${o.window ?? ''} window (EUR)`,
      spec: timeSeriesSpec('EUR', profitPoints),
    });
  profit.push({
    kind: 'table',
    caption: 'Latest values per model version, variant and window',
    columns: [
      'model version',
      'variant',
      'window',
      'as of',
      'predictions',
      'labels',
      'roc_auc',
      'f1',
      'profit (EUR)',
    ],
    rows: m.latest.map((r) => [
      `v${r.modelVersion}`,
      r.variant,
      r.window,
      iso(r.time),
      r.metrics['predictions'] ?? null,
      r.metrics['labels'] ?? null,
      r.metrics['roc_auc'] ?? null,
      r.metrics['f1'] ?? null,
      r.metrics['profit_eur'] ?? null,
    ]),
  });
  return [
    { id: 'performance', title: 'Performance over time', blocks: perf },
    { id: 'drift', title: 'Drift', blocks: drift },
    { id: 'profit', title: 'Realized campaign profit', blocks: profit },
  ];
}

/** The stakeholder report: registry, pipeline decisions and alerts, and the monitoring history. */
export async function buildStakeholderReport(
  config: Config,
  options: ReportOptions = {},
): Promise<ReportResult> {
  const log = logger('reports');
  const table = options.monitoringTable ?? MONITORING_TABLE;
  const model = options.modelName ?? 'bank-marketing';
  const [versions, events, monitoring, economics] = await Promise.all([
    modelVersions(config, log, model),
    pipelineEvents(config, log, options.eventsTopic, options.eventsTimeoutMs),
    readMonitoring(config, table),
    readEconomics(config, model),
  ]);
  const history = events.ok
    ? events.value.filter(
        (e) => !e.payload['model'] || e.payload['model'] === model || e.type.startsWith('alert.'),
      )
    : [];
  const champion = versions.ok ? versions.value.find((v) => v.aliases.includes('champion')) : undefined;
  const decided = decisions(history);
  const summary: string[] = [
    champion ? `Champion: ${model} v${champion.version}.` : `No champion of ${model} yet.`,
    `${decided.filter((e) => e.type === 'model.promoted').length} promotions, ${decided.filter((e) => e.type === 'model.rejected').length} rejections and ${decided.filter((e) => e.type === 'rollout.rolled-back').length} rollbacks of a rollout recorded.`,
    `${history.filter((e) => e.type === 'alert.fired').length} alerts fired.`,
    monitoring.ok && monitoring.value
      ? `Monitoring history: ${monitoring.value.overview.rows.toLocaleString('en-US')} rows.`
      : 'No monitoring data yet.',
  ];
  const sections: Section[] = [
    { id: 'summary', title: 'Summary', blocks: [{ kind: 'list', items: summary }] },
    versionsSection(versions, history, model),
    decisionsSection(events.ok ? { ok: true, value: history } : events),
    ...monitoringSections(monitoring, table),
    economicsSection(economics, config),
    alertsSection(events.ok ? { ok: true, value: history } : events),
  ];
  const page: Page = {
    title: 'Bank marketing: model and campaign report',
    facts: [
      ['model', model],
      ['champion', champion ? `v${champion.version}` : '—'],
      ['monitoring table', table],
      ['generated', (options.now ?? new Date()).toISOString()],
    ],
    sections,
  };
  const html = renderPage(page, await chartScripts());
  return {
    html,
    charts: sections.flatMap((s) => s.blocks).filter((b) => b.kind === 'chart').length,
    monitoringRows: monitoring.ok && monitoring.value ? monitoring.value.overview.rows : 0,
  };
}
