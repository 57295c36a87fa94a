/**
 * The local Alertmanager routes an alert to bankops' webhook receiver (BANKOPS_ALERT_WEBHOOK_URL) and,
 * with send_resolved, tells it when the alert is resolved. This test plays the receiver itself.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';

const config = getConfig();
const base = config.urls.alertmanager;
const webhook = new URL(config.urls.alertWebhook);
const alertname = `BankopsTest${randomUUID().replaceAll('-', '').slice(0, 12)}`;

interface Notification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

const received: Notification[] = [];
let server: http.Server;

async function poll<T>(what: string, check: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const ours = (status: Notification['status']) =>
  received.find((n) => n.status === status && n.alerts.some((a) => a.labels.alertname === alertname));

async function postAlert(endsAt: Date): Promise<void> {
  const response = await fetch(`${base}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        labels: { alertname, severity: 'info', component: 'alertmanager-test' },
        annotations: { summary: 'raised by tests/integration/alertmanager.test.ts' },
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: endsAt.toISOString(),
        generatorURL: 'http://127.0.0.1/bankops-test',
      },
    ]),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === webhook.pathname) {
        received.push(JSON.parse(body) as Notification);
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new Error(`cannot listen on the webhook port ${webhook.port} (is bankops' receiver running?)`, {
          cause: error,
        }),
      ),
    );
    server.listen(Number(webhook.port), webhook.hostname, resolve);
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('Alertmanager', () => {
  it('is ready', async () => {
    expect((await fetch(`${base}/-/ready`)).status).toBe(200);
  });

  it('sends a posted alert to the bankops webhook, then its resolution', async () => {
    await postAlert(new Date(Date.now() + 10 * 60_000));
    const firing = await poll('firing notification', () => ours('firing'));
    expect(firing.receiver).toBe('bankops-webhook');
    const alert = firing.alerts.find((a) => a.labels.alertname === alertname);
    expect(alert?.status).toBe('firing');
    expect(alert?.labels).toEqual({ alertname, severity: 'info', component: 'alertmanager-test' });
    expect(alert?.annotations.summary).toBe('raised by tests/integration/alertmanager.test.ts');

    // An end time in the past resolves it; send_resolved makes Alertmanager say so.
    await postAlert(new Date());
    const resolved = await poll('resolved notification', () => ours('resolved'));
    expect(resolved.alerts.find((a) => a.labels.alertname === alertname)?.status).toBe('resolved');
  });
});
