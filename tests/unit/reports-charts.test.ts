import { describe, expect, it } from 'vitest';
import { compile, type TopLevelSpec } from 'vega-lite';
import {
  barSpec,
  correlationSpec,
  curveSpec,
  gridSpec,
  histogramSpec,
  intervalSpec,
  rankingSpec,
  rateSpec,
  timelineSpec,
  timeSeriesSpec,
  VEGA_LITE_SCHEMA,
  type ChartSpec,
} from '../../src/reports/charts.js';

function compiled(spec: ChartSpec) {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    error: (...m: unknown[]) => (warnings.push(`error ${m.join(' ')}`), logger),
    warn: (...m: unknown[]) => (warnings.push(`warn ${m.join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  const out = compile(spec as unknown as TopLevelSpec, { logger: logger as never });
  return { vega: out.spec, warnings };
}

const t = (m: number) => new Date(Date.UTC(2026, 10, 26, 12, m)).toISOString();

const cases: Array<[string, ChartSpec, number]> = [
  [
    'histogram',
    histogramSpec('age', [
      { start: 18, end: 21, count: 5 },
      { start: 21, end: 24, count: 9 },
    ]),
    2,
  ],
  [
    'bar',
    barSpec('job', [
      { category: 'admin.', count: 3 },
      { category: 'retired', count: 1 },
    ]),
    2,
  ],
  [
    'rate',
    rateSpec(
      'month',
      [
        { bucket: 'may', rate: 0.06, rows: 900 },
        { bucket: 'mar', rate: 0.5, rows: 40 },
      ],
      0.117,
    ),
    2,
  ],
  [
    'correlation',
    correlationSpec([
      { a: 'age', b: 'age', value: 1 },
      { a: 'age', b: 'y', value: null },
    ]),
    2,
  ],
  ['ranking', rankingSpec('information value', [{ feature: 'poutcome', score: 0.5, group: 'strong' }]), 1],
  [
    'time series',
    timeSeriesSpec('roc_auc', [
      { time: t(0), value: 0.8, series: 'v1 champion' },
      { time: t(5), value: 0.79, series: 'v1 champion' },
    ]),
    2,
  ],
  ['timeline', timelineSpec([{ time: t(1), lane: 'model.promoted', label: 'v2' }]), 1],
  ['grid', gridSpec('time', 'feature', 'drift', [{ x: '11-26 12:00', y: 'age', value: 0.2 }]), 1],
  [
    'reliability curve',
    curveSpec(
      'predicted',
      'observed',
      [
        { x: 0.1, y: 0.08, series: 'v2 champion' },
        { x: 0.5, y: 0.55, series: 'v2 champion' },
      ],
      true,
    ),
    2,
  ],
  [
    'interval',
    intervalSpec('roc_auc', [
      { label: 'v2 vs v1', difference: 0.174, low: 0.125, high: 0.223, group: 'promoted' },
      { label: 'v3 vs v2', difference: -0.004, low: -0.013, high: 0.005, group: 'rejected' },
    ]),
    2,
  ],
];

describe('chart specs', () => {
  it.each(cases)('%s compiles to Vega without warnings and carries its data inline', (_name, spec, rows) => {
    expect(spec.$schema).toBe(VEGA_LITE_SCHEMA);
    expect((spec['data'] as { values: unknown[] }).values).toHaveLength(rows);
    const { vega, warnings } = compiled(spec);
    expect(warnings).toEqual([]);
    expect(vega.marks?.length ?? 0).toBeGreaterThan(0);
    // nothing for the browser to fetch
    expect(JSON.stringify(spec)).not.toMatch(/"url"/);
  });

  it('puts the highest rate inside the y domain of the rate chart', () => {
    const spec = rateSpec('month', [{ bucket: 'mar', rate: 0.52, rows: 40 }], 0.117);
    const { vega } = compiled(spec);
    const y = vega.scales?.find((s) => s.name === 'y') as { domain?: unknown } | undefined;
    expect(y?.domain).toEqual([0, 0.52]);
  });

  it('shows time in UTC', () => {
    const spec = timeSeriesSpec('f1', [{ time: t(0), value: 0.5, series: 'v1 a' }]);
    const { vega } = compiled(spec);
    expect(vega.scales?.find((s) => s.name === 'x')?.type).toBe('utc');
  });
});
