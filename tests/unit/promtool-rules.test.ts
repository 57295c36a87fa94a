/**
 * The monitoring configuration in grafana/ is valid: the rule unit tests pass under promtool, and the
 * Prometheus and Alertmanager configs rendered from their templates pass promtool / amtool checks.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';
import { renderAlertmanagerConfig } from '../../src/stack/services/alertmanager.js';
import { renderPrometheusConfig, runPromtool } from '../../src/stack/services/prometheus.js';

const config = getConfig();
const testsDir = path.join(config.repoRoot, 'grafana', 'prometheus', 'tests');
let work = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'bankops-promtool-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('Prometheus rules and configs', () => {
  it('passes promtool test rules for every grafana/prometheus/tests/*.yml', async () => {
    const files = (await readdir(testsDir))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => path.join(testsDir, f));
    expect(files.length).toBeGreaterThan(0);
    const result = await runPromtool(config, ['test', 'rules', ...files]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it('renders a Prometheus config that promtool check config accepts', async () => {
    const file = path.join(work, 'prometheus.yml');
    await renderPrometheusConfig(config, file);
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/\$\{[A-Z_]+\}/);
    expect(text).toContain(`${config.host}:${config.ports.alertmanager}`);
    const result = await runPromtool(config, ['check', 'config', file]);
    expect(result.code, result.output).toBe(0);
  });

  it('renders an Alertmanager config that amtool check-config accepts', async () => {
    const file = path.join(work, 'alertmanager.yml');
    await renderAlertmanagerConfig(config, file);
    expect(await readFile(file, 'utf8')).toContain(config.urls.alertWebhook);
    // amtool ships next to the alertmanager binary (same Debian package).
    const bin = config.bins.alertmanager;
    const amtool = bin.includes('/') ? path.join(path.dirname(bin), 'amtool') : 'amtool';
    const code = await new Promise<number>((resolve) =>
      execFile(amtool, ['check-config', file], (error) => resolve(error === null ? 0 : 1)),
    );
    expect(code).toBe(0);
  });
});
