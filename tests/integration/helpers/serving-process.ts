/**
 * A serving process as it runs in production (`node --import tsx serving/server.ts`) on a free port, with
 * the test fixture's model and topics, ready to answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { API_KEY, config, sha256, type ServingFixture } from './serving.js';
import { waitFor } from './wait.js';

const children = new Set<ChildProcess>();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServingProcess {
  child: ChildProcess;
  url: string;
  port: number;
  exited: Promise<number | null>;
}

export async function startServingProcess(
  fixture: ServingFixture,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServingProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(config.repoRoot, 'serving', 'server.ts'), ...args],
    {
      cwd: config.repoRoot,
      env: {
        ...process.env,
        BANKOPS_LOG_LEVEL: 'warn',
        BANKOPS_SERVING_PORT: String(port),
        BANKOPS_SERVING_HOST: '127.0.0.1',
        BANKOPS_SERVING_API_KEYS: sha256(API_KEY),
        BANKOPS_SERVING_MODEL: fixture.modelName,
        BANKOPS_SERVING_MODE: 'champion',
        BANKOPS_SERVING_POLL_S: '3600',
        BANKOPS_SERVING_SCRAPE_TARGET: 'off',
        BANKOPS_SERVING_PREDICTIONS_TOPIC: fixture.topics.predictions,
        BANKOPS_SERVING_GROUND_TRUTH_TOPIC: fixture.topics.groundTruth,
        BANKOPS_SERVING_EVENTS_TOPIC: fixture.topics.pipelineEvents,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${stderr}`);
      return fetch(`${url}/ready`).then(
        (r) => r.status,
        () => 0,
      );
    },
    (status) => status === 200,
    { what: 'the server to be ready', timeoutMs: 120_000, intervalMs: 250 },
  );
  return { child, url, port, exited };
}

/** Kills every serving process the test started (SIGKILL: a test's end needs no graceful stop). */
export function killServingProcesses(): void {
  for (const child of children) child.kill('SIGKILL');
}
