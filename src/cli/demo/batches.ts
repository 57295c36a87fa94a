import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../config/index.js';
import { batchRowsInLake } from '../../../producers/loader.js';

/** Waits until `rows` of the batch are in the lake (or the time is up) and says how many are. */
export async function waitForBatch(
  config: Config,
  batchId: string,
  rows: number,
  timeoutMs = 180_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const landed = await batchRowsInLake(config, batchId);
    if (landed >= rows || Date.now() > deadline) return landed;
    await sleep(500);
  }
}
