/**
 * A small typed model of Grafana dashboards (schemaVersion 39): timeseries, stat and row panels on
 * Prometheus targets, query variables and Prometheus annotations. Written here because
 * @grafana/grafana-foundation-sdk is not a dependency; it covers exactly what the bankops dashboards use
 * and lays panels out left to right on Grafana's 24-column grid.
 */

export const SCHEMA_VERSION = 39;
export const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' } as const;

export interface Target {
  expr: string;
  legend?: string;
  /** An instant query (stat panels showing "now"); default a range query. */
  instant?: boolean;
}

export interface Threshold {
  /** null: the base colour, below every other step. */
  value: number | null;
  color: string;
}

export interface PanelOptions {
  title: string;
  description?: string;
  targets: Target[];
  /** Grafana unit id: percentunit, s, reqps, short, currencyEUR, ... */
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: Threshold[];
  /** Width in grid columns (of 24) and height in rows; defaults per panel type. */
  width?: number;
  height?: number;
}

export interface TimeseriesOptions extends PanelOptions {
  /** Draw thresholds as dashed lines (floors, bands). */
  showThresholds?: boolean;
  /** Stepped lines for 0/1 states. */
  stepped?: boolean;
  stacked?: boolean;
}

export interface VariableOptions {
  name: string;
  label: string;
  /** label_values(...) or another Prometheus variable query. */
  query: string;
  multi?: boolean;
  includeAll?: boolean;
}

export interface AnnotationOptions {
  name: string;
  expr: string;
  color: string;
  title: string;
  tagKeys?: string[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

interface Placed {
  x: number;
  y: number;
}

export class DashboardBuilder {
  private readonly panels: JsonObject[] = [];
  private readonly variables: JsonObject[] = [];
  private readonly annotations: JsonObject[] = [
    {
      builtIn: 1,
      datasource: { type: 'grafana', uid: '-- Grafana --' },
      enable: true,
      hide: true,
      iconColor: 'rgba(0, 211, 255, 1)',
      name: 'Annotations & Alerts',
      type: 'dashboard',
    },
  ];
  private nextId = 1;
  private cursor: Placed = { x: 0, y: 0 };
  private rowHeight = 0;

  constructor(
    private readonly uid: string,
    private readonly title: string,
    private readonly meta: { description: string; tags: string[]; refresh?: string; from?: string },
  ) {}

  variable(options: VariableOptions): this {
    this.variables.push({
      name: options.name,
      label: options.label,
      type: 'query',
      datasource: { ...PROMETHEUS },
      definition: options.query,
      query: { query: options.query, refId: `${options.name}-query` },
      refresh: 2,
      sort: 1,
      multi: options.multi ?? true,
      includeAll: options.includeAll ?? true,
      allValue: '.*',
      current:
        options.includeAll === false
          ? { selected: false, text: '', value: '' }
          : { selected: true, text: ['All'], value: ['$__all'] },
      options: [],
      hide: 0,
    });
    return this;
  }

  annotation(options: AnnotationOptions): this {
    this.annotations.push({
      name: options.name,
      datasource: { ...PROMETHEUS },
      enable: true,
      hide: false,
      iconColor: options.color,
      expr: options.expr,
      step: '1m',
      titleFormat: options.title,
      tagKeys: (options.tagKeys ?? []).join(','),
      textFormat: '',
      useValueForTime: false,
    });
    return this;
  }

  /** A full-width row header; following panels start below it. */
  row(title: string): this {
    this.newLine();
    this.panels.push({
      type: 'row',
      id: this.nextId++,
      title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y: this.cursor.y },
      panels: [],
    });
    this.cursor = { x: 0, y: this.cursor.y + 1 };
    return this;
  }

  timeseries(options: TimeseriesOptions): this {
    const custom: JsonObject = {
      drawStyle: 'line',
      lineInterpolation: options.stepped === true ? 'stepAfter' : 'linear',
      lineWidth: 1,
      fillOpacity: options.stacked === true ? 30 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: options.stacked === true ? 'normal' : 'none', group: 'A' },
      thresholdsStyle: { mode: options.showThresholds === true ? 'dashed' : 'off' },
    };
    return this.panel('timeseries', options, 12, 8, custom, {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },
      tooltip: { mode: 'multi', sort: 'desc' },
    });
  }

  stat(options: PanelOptions): this {
    return this.panel('stat', options, 6, 4, undefined, {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'area',
      justifyMode: 'auto',
      orientation: 'auto',
      textMode: 'auto',
    });
  }

  private newLine(): void {
    if (this.cursor.x > 0) this.cursor = { x: 0, y: this.cursor.y + this.rowHeight };
    this.rowHeight = 0;
  }

  private panel(
    type: string,
    options: PanelOptions,
    defaultWidth: number,
    defaultHeight: number,
    custom: JsonObject | undefined,
    panelOptions: JsonObject,
  ): this {
    const w = options.width ?? defaultWidth;
    const h = options.height ?? defaultHeight;
    if (this.cursor.x + w > 24) this.newLine();
    const gridPos = { h, w, x: this.cursor.x, y: this.cursor.y };
    this.cursor = { x: this.cursor.x + w, y: this.cursor.y };
    this.rowHeight = Math.max(this.rowHeight, h);
    const defaults: JsonObject = {
      color: { mode: type === 'stat' ? 'thresholds' : 'palette-classic' },
      thresholds: {
        mode: 'absolute',
        steps: (options.thresholds ?? [{ value: null, color: 'green' }]).map((t) => ({
          color: t.color,
          value: t.value,
        })),
      },
    };
    if (custom !== undefined) defaults['custom'] = custom;
    if (options.unit !== undefined) defaults['unit'] = options.unit;
    if (options.min !== undefined) defaults['min'] = options.min;
    if (options.max !== undefined) defaults['max'] = options.max;
    if (options.decimals !== undefined) defaults['decimals'] = options.decimals;
    this.panels.push({
      type,
      id: this.nextId++,
      title: options.title,
      description: options.description ?? '',
      datasource: { ...PROMETHEUS },
      gridPos,
      fieldConfig: { defaults, overrides: [] },
      options: panelOptions,
      targets: options.targets.map((t, i) => ({
        datasource: { ...PROMETHEUS },
        editorMode: 'code',
        expr: t.expr,
        legendFormat: t.legend ?? '__auto',
        range: t.instant !== true,
        instant: t.instant === true,
        refId: String.fromCharCode(65 + i),
      })),
    });
    return this;
  }

  build(): JsonObject {
    return {
      annotations: { list: this.annotations },
      description: this.meta.description,
      editable: false,
      fiscalYearStartMonth: 0,
      graphTooltip: 1,
      id: null,
      links: [],
      panels: this.panels,
      refresh: this.meta.refresh ?? '30s',
      schemaVersion: SCHEMA_VERSION,
      tags: this.meta.tags,
      templating: { list: this.variables },
      time: { from: this.meta.from ?? 'now-6h', to: 'now' },
      timepicker: {},
      timezone: 'browser',
      title: this.title,
      uid: this.uid,
      version: 1,
      weekStart: '',
    };
  }
}

/** Every Prometheus query of a built dashboard: panel targets, then annotations and variables. */
export function queriesOf(dashboard: JsonObject): Array<{ dashboard: string; panel: string; expr: string }> {
  const name = String(dashboard['uid']);
  const out: Array<{ dashboard: string; panel: string; expr: string }> = [];
  for (const panel of (dashboard['panels'] ?? []) as JsonObject[]) {
    for (const target of (panel['targets'] ?? []) as JsonObject[]) {
      out.push({ dashboard: name, panel: String(panel['title']), expr: String(target['expr']) });
    }
  }
  const annotations = (dashboard['annotations'] as JsonObject)['list'] as JsonObject[];
  for (const a of annotations) {
    if (typeof a['expr'] === 'string')
      out.push({ dashboard: name, panel: `annotation: ${String(a['name'])}`, expr: a['expr'] });
  }
  return out;
}
