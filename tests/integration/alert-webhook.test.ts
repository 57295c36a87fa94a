/**
 * Alertmanager → bankops: an alert posted to the real Alertmanager reaches the webhook receiver and becomes
 * an alert.fired pipeline event; a body that is not Alertmanager's is refused with 400.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertWebhook, type AlertWebhook } from '../../consumers/alert-webhook/main.js';
import { createKafka } from '../../src/kafka/client.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { readPipelineEvents } from '../../src/pipeline/history.js';
import { config, isolatedLake, type IsolatedLake } from './helpers/isolated-lake.js';
import { waitFor } from './helpers/wait.js';

let lake: IsolatedLake;
let webhook: AlertWebhook;

beforeAll(async () => {
  lake = await isolatedLake(1);
  webhook = await startAlertWebhook(config, { names: { eventsTopic: lake.events } });
});

afterAll(async () => {
  await webhook?.close();
});

describe('the alert webhook', () => {
  it('turns an Alertmanager notification into an alert.fired event', async () => {
    const name = `BankopsTest${randomUUID().slice(0, 8)}`;
    const response = await fetch(`${config.urls.alertmanager}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname: name, severity: 'critical' }, annotations: { summary: 'accuracy dropped' } },
      ]),
    });
    expect(response.status).toBe(200);
    const events = await waitFor(
      () => readPipelineEvents(createKafka(config, 'bankops-test'), createRegistry(config), lake.events),
      (list) => list.some((e) => e.type === 'alert.fired' && e.payload['alertname'] === name),
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'the alert.fired event' },
    );
    const fired = events.find((e) => e.payload['alertname'] === name);
    expect(fired?.payload['severity']).toBe('critical');
    expect(fired?.payload['annotations']).toEqual({ summary: 'accuracy dropped' });
  });

  it('refuses a body that is not an Alertmanager webhook', async () => {
    const bad = await fetch(webhook.url, { method: 'POST', body: JSON.stringify({ hello: 'world' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not an Alertmanager webhook/);
    const notJson = await fetch(webhook.url, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });
});
