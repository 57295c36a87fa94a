/**
 * A rough closed-loop load generator for the serving API (no autocannon): C concurrent clients post
 * /v1/predict for S seconds and the latency percentiles and throughput are printed.
 *
 *   npx tsx benchmarks/serving-loop.ts --url http://127.0.0.1:8000 --key $KEY [--concurrency 8]
 *     [--seconds 10] [--batch 1]
 */
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { TYPICAL_CUSTOMER } from '../src/bank/sample.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8000' },
    key: { type: 'string', default: '' },
    concurrency: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '1' },
  },
});

const record = TYPICAL_CUSTOMER;
const batch = Number(values.batch);
const body = JSON.stringify(batch === 1 ? record : { records: Array.from({ length: batch }, () => record) });
const dispatcher = new Agent({ connections: Number(values.concurrency), pipelining: 1 });
const latencies: number[] = [];
let failures = 0;
const deadline = Date.now() + Number(values.seconds) * 1000;

async function client(): Promise<void> {
  while (Date.now() < deadline) {
    const started = performance.now();
    const response = await request(`${values.url}/v1/predict`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${values.key}` },
      body,
    });
    await response.body.text();
    if (response.statusCode === 200) latencies.push(performance.now() - started);
    else failures += 1;
  }
}

const began = performance.now();
await Promise.all(Array.from({ length: Number(values.concurrency) }, client));
const seconds = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const pct = (q: number) =>
  (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN).toFixed(2);
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    failures,
    rps: Math.round(latencies.length / seconds),
    rowsPerSecond: Math.round((latencies.length * batch) / seconds),
    p50ms: pct(0.5),
    p95ms: pct(0.95),
    p99ms: pct(0.99),
    concurrency: Number(values.concurrency),
    batch,
  })}\n`,
);
await dispatcher.close();
