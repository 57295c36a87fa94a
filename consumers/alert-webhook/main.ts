import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config/index.js';
import { errorMessage, isBankopsError } from '../../src/errors/index.js';
import { createPipelineContext, type PipelineNames } from '../../src/pipeline/context.js';
import { alertEvent, parseWebhook } from './parse.js';
import { SeenAlerts } from './seen.js';

export interface AlertWebhook {
  url: string;
  received: number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/**
 * Receives Alertmanager's notifications (POST /alerts) and turns each alert into an alert.fired or
 * alert.resolved pipeline event, logged as well; a firing resent with its group is not a new event.
 * A body that is not Alertmanager's is refused with 400.
 */
export async function startAlertWebhook(
  config: Config,
  options: { port?: number; names?: Partial<PipelineNames> } = {},
): Promise<AlertWebhook> {
  const ctx = createPipelineContext(config, 'alert-webhook', options.names);
  const state = { received: 0 };
  const seen = new SeenAlerts();
  const reply = (res: http.ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/alerts') {
      reply(res, 404, { error: 'POST /alerts only' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      void (async () => {
        if (size > MAX_BODY) return reply(res, 413, { error: `body over ${MAX_BODY} bytes` });
        let parsed;
        try {
          parsed = parseWebhook(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          return reply(res, 400, {
            error: isBankopsError(error) ? error.message : `malformed JSON: ${errorMessage(error)}`,
          });
        }
        try {
          for (const a of parsed.alerts) {
            if (seen.has(a)) continue;
            const event = alertEvent(a);
            ctx.log.warn({ alert: event.payload }, event.type);
            await ctx.emit(
              event.type,
              event.payload,
              String(event.payload['fingerprint'] ?? event.payload['alertname']),
            );
            seen.remember(a);
          }
          state.received += parsed.alerts.length;
          reply(res, 200, { received: parsed.alerts.length });
        } catch (error) {
          // Alertmanager retries on 5xx, so an alert is not lost while Kafka is away.
          reply(res, 503, { error: errorMessage(error) });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.ports.alertWebhook, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${config.host}:${port}/alerts`,
    get received() {
      return state.received;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.close();
    },
  };
}
