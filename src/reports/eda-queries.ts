import { CATEGORIES, COLUMNS, isIntegerColumn } from '../bank/columns.js';
import { BankopsError } from '../errors/index.js';
import { quoteIdent, quoteLiteral, type Lake } from '../lake/duckdb.js';
import { atSnapshot, currentSnapshotId, tableExists } from '../lake/snapshots.js';

/**
 * The EDA's aggregates, all computed by DuckDB over one snapshot of the table (copied once into a
 * temporary table so that every query sees the same rows and Iceberg is scanned once).
 */

export const NUMERIC = COLUMNS.filter(isIntegerColumn);
export const CATEGORICAL = COLUMNS.filter((c) => !isIntegerColumn(c));
const HISTOGRAM_BINS = 30;
const STAGE = 'eda_rows';

export interface NumericSummary {
  column: string;
  count: number;
  nulls: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  q25: number | null;
  median: number | null;
  q75: number | null;
  q99: number | null;
  max: number | null;
  distinct: number;
  zeros: number;
  /** Deduplicated deciles, the cut points of the rate-by-bin buckets. */
  cuts: number[];
}

export interface CategoryRow {
  column: string;
  value: string | null;
  rows: number;
  positives: number;
}

export interface HistogramRow {
  column: string;
  start: number;
  end: number;
  count: number;
}

export interface NumericBucket {
  column: string;
  index: number;
  lo: number;
  hi: number;
  rows: number;
  positives: number;
}

export interface Overview {
  table: string;
  snapshotId: string;
  rows: number;
  distinctRecords: number;
  firstEvent: Date | null;
  lastEvent: Date | null;
  sources: Array<{ source: string; rows: number }>;
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const cols = (names: readonly string[]) => names.map(quoteIdent).join(', ');

/** Copies the snapshot into a temp table; throws NOT_FOUND when the table or any snapshot is missing. */
export async function stageSnapshot(lake: Lake, table: string): Promise<Overview> {
  if (!(await tableExists(lake, table))) {
    throw new BankopsError('NOT_FOUND', `the lake has no ${table} table yet`, {
      hint: 'Load the data (bin/bankops data load) and run the lake writer (bin/bankops lake write).',
    });
  }
  const snapshotId = await currentSnapshotId(lake, table);
  if (snapshotId === undefined) {
    throw new BankopsError('NOT_FOUND', `${table} has no snapshot (no rows written yet)`, {
      hint: 'Run the lake writer (bin/bankops lake write) after loading data.',
    });
  }
  await lake.run(
    `CREATE OR REPLACE TEMP TABLE ${STAGE} AS SELECT record_id, source, event_time, ${cols(COLUMNS)},
       CASE WHEN y = 'yes' THEN 1 ELSE 0 END AS target FROM ${atSnapshot(table, snapshotId)}`,
  );
  const [o] = await lake.all<Record<string, unknown>>(
    `SELECT count(*) AS n, count(DISTINCT record_id) AS d, min(event_time) AS first, max(event_time) AS last FROM ${STAGE}`,
  );
  const sources = await lake.all<{ source: string | null; n: bigint }>(
    `SELECT source, count(*) AS n FROM ${STAGE} GROUP BY ALL ORDER BY n DESC`,
  );
  return {
    table,
    snapshotId,
    rows: num(o?.['n']),
    distinctRecords: num(o?.['d']),
    firstEvent: (o?.['first'] as Date | null) ?? null,
    lastEvent: (o?.['last'] as Date | null) ?? null,
    sources: sources.map((s) => ({ source: s.source ?? '(none)', rows: num(s.n) })),
  };
}

/** UNPIVOT of some columns into (name, value), keeping NULLs and the 0/1 target beside them. */
function long(columns: readonly string[], cast: string): string {
  const select = columns.map((c) => `${quoteIdent(c)}::${cast} AS ${quoteIdent(c)}`).join(', ');
  return `(SELECT * FROM (SELECT ${select}, target FROM ${STAGE}) UNPIVOT INCLUDE NULLS (value FOR name IN (${cols(columns)})))`;
}

const DECILES = '[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]';
/** A most frequent value holding more than this share of rows gets a bucket of its own. */
const DOMINANT_SHARE = 0.1;

type Deciles = Array<number | null> | undefined;

/**
 * Cut points of the rate-by-bin buckets: the deciles, deduplicated. When one value dominates (pdays = -1
 * for never contacted, previous = 0) the deciles collapse into two or three buckets, so that value becomes
 * a bucket of its own and the deciles are taken over the other rows.
 */
export function cutPoints(deciles: Deciles, mode: number | null, modeShare: number, rest: Deciles): number[] {
  const clean = (list: Deciles) => (list ?? []).filter((v): v is number => v !== null).map(Number);
  // [mode, mode + 1) holds the mode alone: the bank columns are whole numbers.
  const cuts =
    mode !== null && modeShare > DOMINANT_SHARE ? [mode, mode + 1, ...clean(rest)] : clean(deciles);
  return [...new Set(cuts)].sort((a, b) => a - b);
}

export async function numericSummaries(lake: Lake): Promise<NumericSummary[]> {
  const rows = await lake.all<Record<string, unknown>>(
    `WITH v AS ${long(NUMERIC, 'DOUBLE')},
       m AS (SELECT name, mode(value) AS mode FROM v GROUP BY name)
     SELECT name, count(value) AS n, count(*) - count(value) AS nulls, avg(value) AS mean,
       stddev_samp(value) AS std, min(value) AS min, max(value) AS max,
       quantile_cont(value, [0.25, 0.5, 0.75, 0.99]) AS q,
       quantile_disc(value, ${DECILES}) AS deciles,
       any_value(m.mode) AS mode, count(*) FILTER (WHERE value = m.mode) / count(value) AS mode_share,
       quantile_disc(value, ${DECILES}) FILTER (WHERE value <> m.mode) AS rest,
       count(DISTINCT value) AS d, count(*) FILTER (WHERE value = 0) AS zeros
     FROM v JOIN m USING (name) GROUP BY name`,
  );
  const byName = new Map(rows.map((r) => [String(r['name']), r]));
  return NUMERIC.map((column) => {
    const r = byName.get(column) ?? {};
    const q = (r['q'] as Array<number | null> | undefined) ?? [];
    return {
      column,
      count: num(r['n']),
      nulls: num(r['nulls']),
      mean: numOrNull(r['mean']),
      std: numOrNull(r['std']),
      min: numOrNull(r['min']),
      q25: numOrNull(q[0]),
      median: numOrNull(q[1]),
      q75: numOrNull(q[2]),
      q99: numOrNull(q[3]),
      max: numOrNull(r['max']),
      distinct: num(r['d']),
      zeros: num(r['zeros']),
      cuts: cutPoints(
        r['deciles'] as Deciles,
        numOrNull(r['mode']),
        Number(r['mode_share'] ?? 0),
        r['rest'] as Deciles,
      ),
    };
  });
}

/** Rows and positives per category value of every categorical column (y included). */
export async function categoryCounts(lake: Lake): Promise<CategoryRow[]> {
  const rows = await lake.all<{ name: string; value: string | null; n: bigint; pos: bigint }>(
    `SELECT name, value, count(*) AS n, sum(target) AS pos FROM ${long(CATEGORICAL, 'VARCHAR')}
     GROUP BY ALL ORDER BY name, n DESC`,
  );
  return rows.map((r) => ({ column: r.name, value: r.value, rows: num(r.n), positives: num(r.pos) }));
}

/** Equal-width bins from the minimum to the 99th percentile; the last bin also holds the tail above it. */
export function binPlan(s: NumericSummary): { lo: number; width: number } | undefined {
  if (s.min === null || s.max === null) return undefined;
  const hi = s.q99 !== null && s.q99 > s.min ? s.q99 : s.max;
  const span = hi - s.min + 1; // integer columns: a bin covers whole values
  return { lo: s.min, width: Math.max(1, Math.ceil(span / HISTOGRAM_BINS)) };
}

export async function histograms(lake: Lake, summaries: NumericSummary[]): Promise<HistogramRow[]> {
  const plans = summaries.flatMap((s) => {
    const plan = binPlan(s);
    return plan ? [`(${quoteLiteral(s.column)}, ${plan.lo}, ${plan.width})`] : [];
  });
  if (plans.length === 0) return [];
  const rows = await lake.all<{ name: string; bin: number; lo: number; width: number; n: bigint }>(
    `WITH plan(name, lo, width) AS (VALUES ${plans.join(', ')})
     SELECT u.name, least(floor((u.value - p.lo) / p.width), ${HISTOGRAM_BINS - 1})::INTEGER AS bin,
       any_value(p.lo) AS lo, any_value(p.width) AS width, count(*) AS n
     FROM ${long(NUMERIC, 'DOUBLE')} u JOIN plan p USING (name) WHERE u.value IS NOT NULL
     GROUP BY ALL ORDER BY u.name, bin`,
  );
  return rows.map((r) => ({
    column: r.name,
    start: Number(r.lo) + r.bin * Number(r.width),
    end: Number(r.lo) + (r.bin + 1) * Number(r.width),
    count: num(r.n),
  }));
}

/** Rows and positives per bucket between the cut points of `cutPoints`. */
export async function numericBuckets(lake: Lake, summaries: NumericSummary[]): Promise<NumericBucket[]> {
  const plans = summaries.map(
    (s) => `(${quoteLiteral(s.column)}, [${s.cuts.map((c) => String(c)).join(', ')}]::DOUBLE[])`,
  );
  const rows = await lake.all<Record<string, unknown>>(
    `WITH plan(name, cuts) AS (VALUES ${plans.join(', ')})
     SELECT u.name, len(list_filter(p.cuts, c -> c <= u.value)) AS idx, min(u.value) AS lo, max(u.value) AS hi,
       count(*) AS n, sum(u.target) AS pos
     FROM ${long(NUMERIC, 'DOUBLE')} u JOIN plan p USING (name) WHERE u.value IS NOT NULL
     GROUP BY u.name, idx ORDER BY u.name, idx`,
  );
  return rows.map((r) => ({
    column: String(r['name']),
    index: num(r['idx']),
    lo: num(r['lo']),
    hi: num(r['hi']),
    rows: num(r['n']),
    positives: num(r['pos']),
  }));
}

/** Pearson correlation of every pair of numeric columns and the 0/1 target, in one scan. */
export async function correlations(
  lake: Lake,
): Promise<{ names: string[]; value(a: string, b: string): number | null }> {
  const names = [...NUMERIC, 'y'];
  const expr = (n: string) => (n === 'y' ? 'target' : quoteIdent(n));
  const pairs: Array<[number, number]> = [];
  names.forEach((_, i) => names.forEach((__, j) => j > i && pairs.push([i, j])));
  const [row] = await lake.all<Record<string, number | null>>(
    `SELECT ${pairs.map(([i, j]) => `corr(${expr(names[i] ?? '')}::DOUBLE, ${expr(names[j] ?? '')}::DOUBLE) AS c_${i}_${j}`).join(', ')} FROM ${STAGE}`,
  );
  return {
    names,
    value(a, b) {
      if (a === b) return 1;
      const [i, j] = [names.indexOf(a), names.indexOf(b)].sort((x, y) => x - y);
      const v = row?.[`c_${i}_${j}`];
      return v === null || v === undefined || Number.isNaN(v) ? null : Number(v);
    },
  };
}

/** The figures behind the duration leakage note. */
export async function durationFacts(
  lake: Lake,
): Promise<{ zero: number; zeroYes: number; medianYes: number | null; medianNo: number | null }> {
  const [r] = await lake.all<Record<string, unknown>>(
    `SELECT count(*) FILTER (WHERE duration = 0) AS zero,
       count(*) FILTER (WHERE duration = 0 AND target = 1) AS zero_yes,
       median(duration) FILTER (WHERE target = 1) AS med_yes,
       median(duration) FILTER (WHERE target = 0) AS med_no FROM ${STAGE}`,
  );
  return {
    zero: num(r?.['zero']),
    zeroYes: num(r?.['zero_yes']),
    medianYes: numOrNull(r?.['med_yes']),
    medianNo: numOrNull(r?.['med_no']),
  };
}

/** The domain order of a categorical column (months in calendar order, ...), unknown values last. */
export function domainOrder(column: string): readonly string[] {
  return (CATEGORIES as Record<string, readonly string[]>)[column] ?? [];
}
