/**
 * Both HTML reports opened in headless Chromium (Debian's /usr/bin/chromium through playwright-core):
 * every chart must render (its div marked data-rendered="true" and holding an svg or canvas), with no
 * console error and no request leaving the page. Needs the Iceberg catalog, Kafka, the schema registry
 * and MLflow; the EDA reads the real bank.customers.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReports } from '../../src/cli/commands/reports.js';
import { withLake } from '../../src/lake/duckdb.js';
import { createPipelineContext } from '../../src/pipeline/context.js';
import { buildStakeholderReport } from '../../src/reports/report.js';
import { writeReport } from '../../src/reports/write.js';
import { landCustomers } from './helpers/customers-table.js';
import { config, isolatedLake } from './helpers/isolated-lake.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

interface Opened {
  charts: Array<{ id: string; rendered: string | null; graphic: boolean }>;
  declared: number;
  errors: string[];
  requests: string[];
  text: string;
}

let browser: Browser;
let dir: string;

async function open(file: string): Promise<Opened> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-done="true"]', { timeout: 120_000 });
    const charts = await page.$$eval('div.chart', (els) =>
      els.map((e) => ({
        id: e.id,
        rendered: e.getAttribute('data-rendered'),
        graphic: e.querySelector('svg, canvas') !== null,
      })),
    );
    const declared = Number(await page.getAttribute('body', 'data-charts'));
    const text = await page.innerText('body');
    return { charts, declared, errors, requests, text };
  } finally {
    await context.close();
  }
}

function expectAllRendered(opened: Opened): void {
  expect(opened.charts).toHaveLength(opened.declared);
  expect(opened.charts.filter((c) => c.rendered !== 'true' || !c.graphic)).toEqual([]);
  expect(opened.errors).toEqual([]);
  expect(opened.requests).toEqual([]);
}

/** Runs a reports command the way the CLI does (registerReports on a fresh program). */
async function cli(...args: string[]): Promise<void> {
  const program = new Command('bankops').exitOverride();
  registerReports(program);
  await program.parseAsync(['node', 'bankops', ...args]);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  dir = await mkdtemp(path.join(tmpdir(), 'bankops-reports-'));
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bankops eda', () => {
  it('renders every chart of the customers EDA offline, with the snapshot in the header', async () => {
    // its own customers table, landed the way production lands it: Kafka → lake writer → Iceberg
    const customers = await landCustomers({ every: 9 });
    const file = path.join(dir, 'eda.html');
    await cli('eda', '--out', file, '--table', customers.table);
    const opened = await open(file);
    expectAllRendered(opened);
    // 7 histograms + 9 bar charts, 16 rate charts, class balance, correlations, information value
    expect(opened.charts.length).toBeGreaterThanOrEqual(35);
    expect(opened.text).toMatch(/snapshot id\s+-?\d+/);
    expect(opened.text).toMatch(/rows\s+[\d,]+/);
    expect(opened.text).toContain('if duration = 0 then y = "no"');
    expect(opened.text).toContain('information value');
    expect(await readFile(file, 'utf8')).not.toMatch(/<script[^>]+src=/);
  });
});

describe('bankops report', () => {
  it('charts a monitoring history, decisions and alerts', async () => {
    const lake = await isolatedLake(1);
    const table = `${lake.id}.monitoring_metrics`;
    const model = `reports-test-${randomUUID()}`;
    await withLake(config, async (l) => {
      await l.run(`CREATE SCHEMA IF NOT EXISTS lake."${lake.id}"`);
      await l.run(`CREATE TABLE lake."${lake.id}".monitoring_metrics (time TIMESTAMPTZ, model_version VARCHAR,
        variant VARCHAR, "window" VARCHAR, metric VARCHAR, value DOUBLE, feature VARCHAR, insufficient BOOLEAN)`);
      // 40 snapshots 30 s apart, two versions, two windows: window metrics, then per-feature drift
      await l.run(`INSERT INTO lake."${lake.id}".monitoring_metrics
        SELECT TIMESTAMPTZ '2026-11-26 12:00:00+00' + to_seconds(i * 30), v, variant, w, m,
          CASE m WHEN 'predictions' THEN 100 + i WHEN 'labels' THEN 50 + i WHEN 'label_coverage' THEN 0.5
            WHEN 'profit_eur' THEN 40.0 * i - 300 WHEN 'drifted_features' THEN i % 3
            WHEN 'prediction_drift_score' THEN 0.01 * i ELSE 0.7 + 0.01 * (i % 10) END,
          NULL::VARCHAR, i < 2
        FROM range(40) r(i), (VALUES ('1', 'champion'), ('2', 'challenger')) vv(v, variant),
          (VALUES ('5m'), ('last_500')) ww(w),
          (VALUES ('roc_auc'), ('pr_auc'), ('f1'), ('precision'), ('recall'), ('accuracy'), ('predictions'),
            ('labels'), ('label_coverage'), ('profit_eur'), ('drifted_features'), ('prediction_drift_score')) mm(m)`);
      await l.run(`INSERT INTO lake."${lake.id}".monitoring_metrics
        SELECT TIMESTAMPTZ '2026-11-26 12:00:00+00' + to_seconds(i * 30), '1', 'champion', '5m',
          'feature_drift_score', 0.02 * i, f, false
        FROM range(40) r(i), (VALUES ('age'), ('balance'), ('poutcome')) ff(f)`);
    });
    const ctx = createPipelineContext(config, 'reports-test', { eventsTopic: lake.events, modelName: model });
    try {
      const holdout = { description: 'the candidate\'s stratified test split <b>"quoted"</b>' };
      await ctx.emit('model.promoted', {
        model,
        version: '1',
        champion: null,
        metric: 'roc_auc',
        reason: 'roc_auc 0.80 ≥ floor 0.7; no champion yet',
        holdout,
        candidateMetrics: { roc_auc: 0.8 },
      });
      await ctx.emit('model.rejected', {
        model,
        version: '2',
        champion: '1',
        metric: 'roc_auc',
        reason: 'roc_auc 0.71 is 0.09 below champion v1 <script>',
        holdout,
        candidateMetrics: { roc_auc: 0.71 },
      });
      await ctx.emit('alert.fired', {
        alertname: 'BankopsFeatureDrift',
        severity: 'warning',
        annotations: { summary: 'age drifted' },
        startsAt: '2026-11-26T12:10:00Z',
      });
      await ctx.emit('alert.resolved', {
        alertname: 'BankopsFeatureDrift',
        severity: 'warning',
        annotations: {},
      });
    } finally {
      await ctx.close();
    }

    const result = await buildStakeholderReport(config, {
      monitoringTable: table,
      modelName: model,
      eventsTopic: lake.events,
    });
    expect(result.monitoringRows).toBe(40 * 2 * 2 * 12 + 40 * 3);
    const file = await writeReport(path.join(dir, 'report.html'), result.html);
    const opened = await open(file);
    expectAllRendered(opened);
    expect(opened.charts.length).toBe(result.charts);
    for (const heading of [
      'Performance over time',
      'Drift',
      'Realized campaign profit',
      'Promotions and rejections',
      'Alerts',
    ]) {
      expect(opened.text).toContain(heading);
    }
    expect(opened.text).toContain('roc_auc 0.71 is 0.09 below champion v1 <script>');
    expect(opened.text).toContain('BankopsFeatureDrift');
    expect(opened.text).toContain(`No version of ${model} is registered yet.`);
    expect(opened.text).not.toContain('No monitoring data yet');
    // performance: 6 quality metrics + volume + coverage; drift: grid + 2 lines; profit; timeline; decisions; alerts
    expect(result.charts).toBeGreaterThanOrEqual(14);
  });

  it('says there is no monitoring data yet when the table does not exist', async () => {
    const file = path.join(dir, 'report-empty.html');
    await cli(
      'report',
      '--out',
      file,
      '--monitoring-table',
      `t${randomUUID().replaceAll('-', '').slice(0, 12)}.monitoring_metrics`,
    );
    const opened = await open(file);
    expectAllRendered(opened);
    expect(opened.text).toContain('No monitoring data yet');
    expect(opened.text).toContain('Model versions');
  });
});
