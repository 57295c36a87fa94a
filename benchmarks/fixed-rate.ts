/**
 * Open-loop load at a fixed rate (requests are sent on schedule whether or not earlier ones answered),
 * so latency under a given load is measured without coordinated omission. Prints p50/p99/max.
 *
 *   npx tsx benchmarks/fixed-rate.ts --url URL --path /v1/predict --body FILE [--key K] [--rate 1000] [--seconds 10]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8000' },
    path: { type: 'string', default: '/v1/predict' },
    body: { type: 'string' },
    key: { type: 'string', default: '' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
  },
});
if (!values.body) throw new Error('--body FILE is required');
const body = readFileSync(values.body, 'utf8');
const rate = Number(values.rate);
const total = rate * Number(values.seconds);
const dispatcher = new Agent({ connections: 64, pipelining: 1 });
const headers: Record<string, string> = { 'content-type': 'application/json' };
if (values.key) headers['authorization'] = `Bearer ${values.key}`;
const latencies: number[] = [];
let errors = 0;
const start = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < total; i += 1) {
  const due = start + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  pending.push(
    request(`${values.url}${values.path}`, { method: 'POST', body, headers, dispatcher })
      .then(async (res) => {
        await res.body.text();
        if (res.statusCode !== 200) errors += 1;
        latencies.push(performance.now() - due);
      })
      .catch(() => {
        errors += 1;
      }),
  );
}
await Promise.all(pending);
const elapsed = (performance.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) =>
  (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN).toFixed(2);
console.log(
  `${values.path} at ${rate} req/s for ${values.seconds} s: sent ${total}, errors ${errors}, achieved ${(latencies.length / elapsed).toFixed(0)} req/s, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
);
await dispatcher.close();
