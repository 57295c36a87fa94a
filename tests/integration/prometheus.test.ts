/**
 * The local Prometheus: a component registered through file-based service discovery is scraped, its
 * metrics become queryable, and unregistering it removes the target.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';
import { isBankopsError } from '../../src/errors/index.js';
import {
  listScrapeTargets,
  registerScrapeTarget,
  unregisterScrapeTarget,
} from '../../src/metrics/scrape-targets.js';

const config = getConfig();
const base = config.urls.prometheus;
const id = randomUUID().replaceAll('-', '').slice(0, 12);
const job = `test-${id}`;
const gauge = `bankops_test_gauge_${id}`;

/** Polls until `check` returns a value (not undefined); the timeout only bounds a failing test. */
async function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promql: string): Promise<Sample[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: Sample[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

async function activeJobs(): Promise<string[]> {
  const response = await fetch(`${base}/api/v1/targets?state=active`);
  const body = (await response.json()) as {
    data: { activeTargets: Array<{ labels: Record<string, string> }> };
  };
  return body.data.activeTargets.map((t) => t.labels.job ?? '');
}

let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(
      `# HELP ${gauge} A gauge only this test exposes.\n# TYPE ${gauge} gauge\n${gauge}{kind="test"} 42.5\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await unregisterScrapeTarget(config, job);
  await new Promise((resolve) => server.close(resolve));
});

describe('Prometheus', () => {
  it('is ready and scrapes itself and Alertmanager', async () => {
    expect((await fetch(`${base}/-/ready`)).status).toBe(200);
    const up = await poll('prometheus and alertmanager up', async () => {
      const samples = await query('up{job=~"prometheus|alertmanager"} == 1');
      return samples.length === 2 ? samples : undefined;
    });
    expect(up.map((s) => s.metric.job).sort()).toEqual(['alertmanager', 'prometheus']);
  });

  it('loads the stack rules', async () => {
    const response = await fetch(`${base}/api/v1/rules`);
    const body = (await response.json()) as { data: { groups: Array<{ rules: Array<{ name: string }> }> } };
    const names = body.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toContain('BankopsTargetDown');
  });

  it('scrapes a component registered through file_sd and forgets it once unregistered', async () => {
    await registerScrapeTarget(config, job, [`127.0.0.1:${port}`], { component: 'test' });
    expect(await listScrapeTargets(config)).toContain(job);

    await poll(`up{job="${job}"} == 1`, async () => {
      const samples = await query(`up{job="${job}"} == 1`);
      return samples.length === 1 ? samples : undefined;
    });
    const samples = await poll(`${gauge} visible`, async () => {
      const result = await query(gauge);
      return result.length > 0 ? result : undefined;
    });
    expect(samples[0]?.metric).toMatchObject({
      job,
      component: 'test',
      kind: 'test',
      instance: `127.0.0.1:${port}`,
    });
    expect(Number(samples[0]?.value[1])).toBe(42.5);

    await unregisterScrapeTarget(config, job);
    expect(await listScrapeTargets(config)).not.toContain(job);
    await poll('target removed', async () => ((await activeJobs()).includes(job) ? undefined : true));
  });

  it('rejects malformed registrations', async () => {
    const attempts: Array<() => Promise<unknown>> = [
      () => registerScrapeTarget(config, '../escape', ['127.0.0.1:1']),
      () => registerScrapeTarget(config, job, []),
      () => registerScrapeTarget(config, job, ['http://127.0.0.1:1/metrics']),
      () => registerScrapeTarget(config, job, ['127.0.0.1:1'], { 'bad-label': 'x' }),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(isBankopsError(error, 'USAGE')).toBe(true);
    }
  });
});
