import type { Config } from '../config/index.js';
import { withLake } from '../lake/duckdb.js';
import { CUSTOMERS_TABLE } from '../lake/readers.js';
import { chartScripts } from './assets.js';
import { barSpec, correlationSpec, histogramSpec, rankingSpec, rateSpec, type MatrixCell } from './charts.js';
import {
  CATEGORICAL,
  categoryCounts,
  correlations,
  domainOrder,
  durationFacts,
  histograms,
  numericBuckets,
  numericSummaries,
  stageSnapshot,
  type CategoryRow,
  type NumericBucket,
} from './eda-queries.js';
import { renderPage, type Block, type Page, type Section } from './html.js';
import { informationValue, ivStrength, mutualInformation, type BucketCounts } from './stats.js';

export interface EdaOptions {
  /** namespace.table (default bank.customers). */
  table?: string;
  now?: Date;
}

export interface EdaResult {
  html: string;
  snapshotId: string;
  rows: number;
  charts: number;
}

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const range = (lo: number, hi: number) => (lo === hi ? String(lo) : `${lo}–${hi}`);

function orderedCategories(column: string, rows: CategoryRow[]): CategoryRow[] {
  const order = domainOrder(column);
  const rank = (v: string | null) => {
    const i = v === null ? -1 : order.indexOf(v);
    return i < 0 ? order.length : i;
  };
  return rows.filter((r) => r.column === column).sort((a, b) => rank(a.value) - rank(b.value));
}

interface Screened {
  feature: string;
  kind: string;
  iv: number;
  mi: number;
  buckets: number;
}

function screen(feature: string, kind: string, buckets: BucketCounts[]): Screened {
  return {
    feature,
    kind,
    iv: informationValue(buckets),
    mi: mutualInformation(buckets),
    buckets: buckets.length,
  };
}

function durationCorrelation(corr: { names: string[]; value(a: string, b: string): number | null }): string {
  const withY = corr.names
    .filter((n) => n !== 'y')
    .map((n) => ({ n, r: corr.value(n, 'y') ?? 0 }))
    .sort((a, b) => Math.abs(b.r) - Math.abs(a.r));
  const duration = withY.find((x) => x.n === 'duration')?.r ?? 0;
  const rank = withY.findIndex((x) => x.n === 'duration') + 1;
  return (
    `Correlation of duration with y: ${duration.toFixed(3)}, ` +
    (rank === 1 ? 'the largest of any numeric column.' : `rank ${rank} of ${withY.length} numeric columns.`)
  );
}

/** Builds the EDA page from the current snapshot of the customers table. */
export async function buildEdaReport(config: Config, options: EdaOptions = {}): Promise<EdaResult> {
  const table = options.table ?? CUSTOMERS_TABLE;
  const data = await withLake(config, async (lake) => {
    const overview = await stageSnapshot(lake, table);
    const numeric = await numericSummaries(lake);
    return {
      overview,
      numeric,
      categories: await categoryCounts(lake),
      histograms: await histograms(lake, numeric),
      buckets: await numericBuckets(lake, numeric),
      corr: await correlations(lake),
      duration: await durationFacts(lake),
    };
  });
  const { overview, numeric, categories } = data;
  const yRows = orderedCategories('y', categories);
  const positives = yRows.find((r) => r.value === 'yes')?.rows ?? 0;
  const overall = overview.rows > 0 ? positives / overview.rows : 0;
  const bucketsOf = (column: string): NumericBucket[] => data.buckets.filter((b) => b.column === column);

  const sections: Section[] = [];
  sections.push({
    id: 'overview',
    title: 'Overview',
    blocks: [
      {
        kind: 'text',
        text:
          `${overview.rows.toLocaleString('en-US')} rows (${overview.distinctRecords.toLocaleString('en-US')} distinct ` +
          `record ids) of ${table} at Iceberg snapshot ${overview.snapshotId}. Every figure below is a DuckDB ` +
          'aggregate over that snapshot.',
      },
      {
        kind: 'table',
        caption: 'Rows by source',
        columns: ['source', 'rows', 'share'],
        rows: overview.sources.map((s) => [s.source, s.rows, pct(s.rows / Math.max(1, overview.rows))]),
      },
    ],
  });

  sections.push({
    id: 'class-imbalance',
    title: 'Class imbalance',
    blocks: [
      {
        kind: 'text',
        text:
          `${pct(overall)} of the calls ended in a subscription (${positives.toLocaleString('en-US')} of ` +
          `${overview.rows.toLocaleString('en-US')}): about 1 positive for every ${(overall > 0 ? (1 - overall) / overall : 0).toFixed(1)} negatives. ` +
          'Accuracy is therefore a poor yardstick (always answering "no" scores ' +
          `${pct(1 - overall)}); training uses PR AUC / ROC AUC and a tuned decision threshold.`,
      },
      {
        kind: 'chart',
        title: 'y (subscribed a term deposit)',
        spec: barSpec(
          'y',
          yRows.map((r) => ({ category: r.value ?? '(null)', count: r.rows })),
        ),
      },
    ],
  });

  sections.push({
    id: 'summary',
    title: 'Summary statistics',
    blocks: [
      {
        kind: 'table',
        caption: 'Numeric columns',
        columns: [
          'column',
          'count',
          'nulls',
          'mean',
          'std',
          'min',
          '25 %',
          'median',
          '75 %',
          '99 %',
          'max',
          'distinct',
          'zeros',
        ],
        rows: numeric.map((s) => [
          s.column,
          s.count,
          s.nulls,
          s.mean,
          s.std,
          s.min,
          s.q25,
          s.median,
          s.q75,
          s.q99,
          s.max,
          s.distinct,
          s.zeros,
        ]),
      },
      {
        kind: 'table',
        caption: 'Categorical columns',
        columns: ['column', 'count', 'nulls', 'distinct', 'most frequent', 'its share', '"unknown" share'],
        rows: CATEGORICAL.map((c) => {
          const rows = categories.filter((r) => r.column === c);
          const total = rows.reduce((s, r) => s + r.rows, 0);
          const nulls = rows.find((r) => r.value === null)?.rows ?? 0;
          const top = rows.filter((r) => r.value !== null).sort((a, b) => b.rows - a.rows)[0];
          const unknown = rows.find((r) => r.value === 'unknown')?.rows ?? 0;
          return [
            c,
            total - nulls,
            nulls,
            rows.filter((r) => r.value !== null).length,
            top?.value ?? null,
            top ? pct(top.rows / Math.max(1, total)) : null,
            pct(unknown / Math.max(1, total)),
          ];
        }),
      },
    ],
  });

  const distribution: Block[] = [];
  for (const s of numeric) {
    const bins = data.histograms.filter((h) => h.column === s.column);
    const tail = s.q99 !== null && s.max !== null && s.max > s.q99;
    distribution.push({
      kind: 'chart',
      title: s.column,
      spec: histogramSpec(s.column, bins),
      ...(tail
        ? {
            caption: `Bins up to the 99th percentile (${s.q99}); the last bin also holds the tail up to ${s.max}.`,
          }
        : {}),
    });
  }
  for (const c of CATEGORICAL.filter((c) => c !== 'y')) {
    distribution.push({
      kind: 'chart',
      title: c,
      spec: barSpec(
        c,
        orderedCategories(c, categories).map((r) => ({ category: r.value ?? '(null)', count: r.rows })),
      ),
    });
  }
  sections.push({ id: 'distributions', title: 'Distributions', blocks: distribution });

  const rates: Block[] = [
    {
      kind: 'text',
      text: `Share of "yes" per category, and per bucket of each numeric column (deciles; a value held by over 10 % of the rows, such as pdays = -1, is a bucket of its own). The dashed line is the overall rate, ${pct(overall)}. Bar colour shows how many rows a bucket holds.`,
    },
  ];
  for (const c of CATEGORICAL.filter((c) => c !== 'y')) {
    rates.push({
      kind: 'chart',
      title: `by ${c}`,
      spec: rateSpec(
        c,
        orderedCategories(c, categories).map((r) => ({
          bucket: r.value ?? '(null)',
          rate: r.rows ? r.positives / r.rows : 0,
          rows: r.rows,
        })),
        overall,
      ),
    });
  }
  for (const s of numeric) {
    rates.push({
      kind: 'chart',
      title: `by ${s.column} (buckets)`,
      spec: rateSpec(
        s.column,
        bucketsOf(s.column).map((b) => ({
          bucket: range(b.lo, b.hi),
          rate: b.rows ? b.positives / b.rows : 0,
          rows: b.rows,
        })),
        overall,
      ),
    });
  }
  sections.push({ id: 'subscription-rate', title: 'Subscription rate', blocks: rates });

  const cells: MatrixCell[] = data.corr.names.flatMap((a) =>
    data.corr.names.map((b) => ({ a, b, value: data.corr.value(a, b) })),
  );
  const strongest = data.corr.names
    .flatMap((a, i) => data.corr.names.slice(i + 1).map((b) => ({ a, b, r: data.corr.value(a, b) ?? 0 })))
    .filter((p) => p.b !== 'y' && p.a !== 'y')
    .sort((x, y) => Math.abs(y.r) - Math.abs(x.r))
    .slice(0, 3);
  sections.push({
    id: 'correlations',
    title: 'Correlations',
    blocks: [
      {
        kind: 'text',
        text: `Pearson correlation between the numeric columns and y (as 0/1). Strongest feature pairs: ${strongest.map((p) => `${p.a}–${p.b} ${p.r.toFixed(2)}`).join(', ')}.`,
      },
      { kind: 'chart', title: 'Correlation matrix', spec: correlationSpec(cells) },
    ],
  });

  const d = data.duration;
  sections.push({
    id: 'duration-leakage',
    title: 'Leakage: duration',
    blocks: [
      {
        kind: 'note',
        text:
          'duration (the last call’s length in seconds) is only known after the call has ended, and then y is known too. ' +
          'The UCI documentation advises keeping it for benchmarks only and discarding it for a realistic predictive model: ' +
          'if duration = 0 then y = "no". bankops therefore never uses it as a feature.',
      },
      {
        kind: 'list',
        items: [
          `${d.zero.toLocaleString('en-US')} rows have duration = 0; ${d.zeroYes.toLocaleString('en-US')} of them have y = "yes".`,
          `Median duration: ${d.medianYes ?? '—'} s for "yes", ${d.medianNo ?? '—'} s for "no".`,
          durationCorrelation(data.corr),
        ],
      },
    ],
  });

  const screened: Screened[] = [
    ...CATEGORICAL.filter((c) => c !== 'y').map((c) =>
      screen(
        c,
        'categorical',
        categories
          .filter((r) => r.column === c)
          .map((r) => ({
            bucket: r.value ?? '(null)',
            positives: r.positives,
            negatives: r.rows - r.positives,
          })),
      ),
    ),
    ...numeric.map((s) =>
      screen(
        s.column,
        'numeric (buckets)',
        bucketsOf(s.column).map((b) => ({
          bucket: range(b.lo, b.hi),
          positives: b.positives,
          negatives: b.rows - b.positives,
        })),
      ),
    ),
  ].sort((a, b) => b.iv - a.iv);
  const candidates = screened.filter((s) => s.feature !== 'duration');
  sections.push({
    id: 'candidate-features',
    title: 'Candidate features',
    blocks: [
      {
        kind: 'text',
        text:
          'Features ranked by information value (IV = Σ (share of yes − share of no) · ln(share of yes / share of no) over the ' +
          'categories, or over the buckets of a numeric column (as in the rate charts); 0.5 is added to every count). Mutual information with y ' +
          '(bits, from the same buckets) is shown beside it. duration is left out (leakage, above).',
      },
      {
        kind: 'chart',
        title: 'Information value with y',
        spec: rankingSpec(
          'information value',
          candidates.map((s) => ({ feature: s.feature, score: s.iv, group: ivStrength(s.iv) })),
        ),
      },
      {
        kind: 'table',
        columns: [
          'rank',
          'feature',
          'kind',
          'buckets',
          'information value',
          'strength',
          'mutual information (bits)',
        ],
        rows: screened.map((s) => [
          s.feature === 'duration' ? 'excluded' : candidates.indexOf(s) + 1,
          s.feature,
          s.kind,
          s.buckets,
          s.iv,
          s.feature === 'duration' ? 'leakage' : ivStrength(s.iv),
          s.mi,
        ]),
      },
    ],
  });

  const page: Page = {
    title: 'Bank marketing: exploratory data analysis',
    facts: [
      ['table', table],
      ['snapshot id', overview.snapshotId],
      ['rows', overview.rows.toLocaleString('en-US')],
      [
        'events',
        `${overview.firstEvent?.toISOString() ?? '—'} … ${overview.lastEvent?.toISOString() ?? '—'}`,
      ],
      ['generated', (options.now ?? new Date()).toISOString()],
    ],
    sections,
  };
  const html = renderPage(page, await chartScripts());
  const charts = sections.flatMap((s) => s.blocks).filter((b) => b.kind === 'chart').length;
  return { html, snapshotId: overview.snapshotId, rows: overview.rows, charts };
}
