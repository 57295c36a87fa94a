/**
 * Vega-Lite spec builders. Each takes already aggregated rows (the SQL did the counting) and returns a
 * plain JSON spec with the data inline, so the page renders offline.
 */

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface ChartSpec {
  $schema: string;
  [key: string]: unknown;
}

type Datum = Record<string, string | number | boolean | null>;

/** Time axes in UTC whatever the viewer's time zone, 24-hour clock. */
const UTC_TIME = {
  field: 'time',
  type: 'temporal',
  title: 'time (UTC)',
  scale: { type: 'utc' },
  axis: { format: '%m-%d %H:%M', labelAngle: -30 },
};

const SMALL = { width: 320, height: 180 };
/** Two of these fit side by side on the 1200 px page (with axis and legend). */
const MEDIUM = { width: 340, height: 200 };

function base(values: Datum[], size = SMALL): ChartSpec {
  return { $schema: VEGA_LITE_SCHEMA, ...size, data: { values } };
}

export interface HistogramBin {
  start: number;
  end: number;
  count: number;
}

/** Equal-width bins already counted: a bar from start to end per bin. */
export function histogramSpec(field: string, bins: HistogramBin[]): ChartSpec {
  return {
    ...base(bins.map((b) => ({ start: b.start, end: b.end, count: b.count }))),
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'start', type: 'quantitative', title: field, bin: { binned: true } },
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', title: 'rows' },
    },
  };
}

export interface CategoryCount {
  category: string;
  count: number;
}

/** Horizontal bars, in the order given (callers pass the domain order or sort by count). */
export function barSpec(field: string, rows: CategoryCount[]): ChartSpec {
  return {
    ...base(rows.map((r) => ({ category: r.category, count: r.count }))),
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'category', type: 'nominal', title: field, sort: null },
      x: { field: 'count', type: 'quantitative', title: 'rows' },
    },
  };
}

export interface RateRow {
  bucket: string;
  rate: number;
  rows: number;
}

/** Subscription rate per bucket (category or numeric bin, in the order given) against the overall rate. */
export function rateSpec(field: string, rows: RateRow[], overall: number): ChartSpec {
  // An explicit domain: Vega's union of the stacked bar fields and the rule's field came out too short.
  const top = Math.max(overall, ...rows.map((r) => r.rate), 0.01);
  const y = { type: 'quantitative', scale: { domain: [0, top], nice: true } };
  return {
    ...base(rows.map((r) => ({ bucket: r.bucket, rate: r.rate, rows: r.rows, overall }))),
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'bucket', type: 'ordinal', title: field, sort: null, axis: { labelAngle: -40 } },
          y: { ...y, field: 'rate', title: 'subscription rate', axis: { format: '%' }, stack: null },
          color: { field: 'rows', type: 'quantitative', title: 'rows', scale: { scheme: 'blues' } },
        },
      },
      {
        mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] },
        encoding: { y: { ...y, field: 'overall' } },
      },
    ],
  };
}

export interface MatrixCell {
  a: string;
  b: string;
  value: number | null;
}

/** A correlation matrix: diverging colour on [-1, 1] with the value printed in each cell. */
export function correlationSpec(cells: MatrixCell[]): ChartSpec {
  return {
    ...base(
      cells.map((c) => ({ a: c.a, b: c.b, value: c.value })),
      { width: 420, height: 420 },
    ),
    encoding: {
      x: { field: 'a', type: 'nominal', title: null, sort: null },
      y: { field: 'b', type: 'nominal', title: null, sort: null },
    },
    layer: [
      {
        mark: { type: 'rect', tooltip: true },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: 'Pearson r',
            scale: { scheme: 'redblue', domain: [-1, 1], reverse: true },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: { text: { field: 'value', type: 'quantitative', format: '.2f' } },
      },
    ],
  };
}

export interface RankedFeature {
  feature: string;
  score: number;
  group: string;
}

/** Features ranked by a score (information value), coloured by a group (its strength band). */
export function rankingSpec(scoreTitle: string, rows: RankedFeature[]): ChartSpec {
  return {
    ...base(
      rows.map((r) => ({ feature: r.feature, score: r.score, group: r.group })),
      { width: 520, height: Math.max(160, rows.length * 20) },
    ),
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: '-x', title: null },
      x: { field: 'score', type: 'quantitative', title: scoreTitle },
      color: { field: 'group', type: 'nominal', title: null },
    },
  };
}

export interface TimePoint {
  /** ISO time. */
  time: string;
  value: number;
  series: string;
}

/** One line per series over time. */
export function timeSeriesSpec(
  yTitle: string,
  points: TimePoint[],
  options: { percent?: boolean } = {},
): ChartSpec {
  return {
    ...base(
      points.map((p) => ({ time: p.time, value: p.value, series: p.series })),
      MEDIUM,
    ),
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: UTC_TIME,
      y: {
        field: 'value',
        type: 'quantitative',
        title: yTitle,
        ...(options.percent ? { axis: { format: '.0%' } } : {}),
        scale: { zero: false },
      },
      color: { field: 'series', type: 'nominal', title: 'model version / variant' },
    },
  };
}

export interface TimedEvent {
  time: string;
  lane: string;
  label: string;
}

/** Events as points on time lanes (promotions, rejections, alerts), the label in the tooltip. */
export function timelineSpec(events: TimedEvent[]): ChartSpec {
  return {
    ...base(
      events.map((e) => ({ time: e.time, lane: e.lane, label: e.label })),
      { width: 760, height: Math.max(80, new Set(events.map((e) => e.lane)).size * 32) },
    ),
    mark: { type: 'point', filled: true, size: 90, tooltip: { content: 'data' } },
    encoding: {
      x: UTC_TIME,
      y: { field: 'lane', type: 'nominal', title: null },
      color: { field: 'lane', type: 'nominal', legend: null },
    },
  };
}

export interface GridCell {
  x: string;
  y: string;
  value: number;
}

/** A heat map on two ordinal axes in the order given (e.g. time bucket × feature drift score). */
export function gridSpec(xTitle: string, yTitle: string, valueTitle: string, cells: GridCell[]): ChartSpec {
  return {
    ...base(
      cells.map((c) => ({ x: c.x, y: c.y, value: c.value })),
      { width: 760, height: Math.max(120, new Set(cells.map((c) => c.y)).size * 18) },
    ),
    mark: { type: 'rect', tooltip: true },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: xTitle, sort: null, axis: { labelAngle: -40 } },
      y: { field: 'y', type: 'nominal', title: yTitle, sort: null },
      color: { field: 'value', type: 'quantitative', title: valueTitle, scale: { scheme: 'orangered' } },
    },
  };
}

export interface IntervalRow {
  /** What was decided, e.g. "v3 vs v2". */
  label: string;
  difference: number;
  low: number;
  high: number;
  /** promoted | rejected */
  group: string;
}

/** One row per decision: the difference (point) and its interval (rule), with the line at zero. */
export function intervalSpec(metric: string, rows: IntervalRow[]): ChartSpec {
  const x = { type: 'quantitative', title: `${metric}: candidate − champion (interval)` };
  return {
    ...base(
      rows.map((r) => ({ ...r })),
      { width: 520, height: Math.max(120, rows.length * 28) },
    ),
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y: { field: 'label', type: 'nominal', title: null, sort: null },
          x: { field: 'low', ...x },
          x2: { field: 'high' },
          color: { field: 'group', type: 'nominal', title: null },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 70, tooltip: true },
        encoding: {
          y: { field: 'label', type: 'nominal', sort: null },
          x: { field: 'difference', ...x },
          color: { field: 'group', type: 'nominal', title: null },
        },
      },
      {
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
        encoding: { x: { datum: 0, type: 'quantitative' } },
      },
    ],
  };
}

export interface CurvePoint {
  x: number;
  y: number;
  series: string;
}

/**
 * Lines of y over a quantitative x, one per series (a reliability diagram, a profit curve over the
 * threshold); `diagonal` adds the y = x line a calibrated model would follow.
 */
export function curveSpec(xTitle: string, yTitle: string, rows: CurvePoint[], diagonal = false): ChartSpec {
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: xTitle },
    y: { field: 'y', type: 'quantitative', title: yTitle },
    color: { field: 'series', type: 'nominal', title: null },
  };
  const line = { mark: { type: 'line', point: true, tooltip: true }, encoding };
  return {
    ...base(
      rows.map((r) => ({ ...r })),
      MEDIUM,
    ),
    layer: diagonal
      ? [
          line,
          {
            data: {
              values: [
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ],
            },
            mark: { type: 'line', strokeDash: [4, 4], color: '#888' },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
          },
        ]
      : [line],
  };
}
