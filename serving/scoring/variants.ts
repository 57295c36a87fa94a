import { createHash, randomInt } from 'node:crypto';
import type { ServingConfig } from '../../src/config/index.js';
import type { Role } from '../model/handle.js';

const BUCKETS = 10_000;

/** A stable bucket in [0, 10000) for a customer key: the same customer always lands in the same one. */
export function bucketOf(customerKey: string): number {
  return createHash('sha256').update(customerKey).digest().readUInt32BE(0) % BUCKETS;
}

/**
 * Which model answers: the champion, except in `ab` mode where the challenger answers the customers whose
 * bucket falls under the share. Without a key, the draw is random per record (not sticky).
 */
export function routeVariant(
  config: Pick<ServingConfig, 'mode' | 'abShare'>,
  customerKey: string | undefined,
  challengerLoaded: boolean,
): Role {
  if (config.mode !== 'ab' || !challengerLoaded || config.abShare <= 0) return 'champion';
  const bucket = customerKey === undefined ? randomInt(BUCKETS) : bucketOf(customerKey);
  return bucket < config.abShare * BUCKETS ? 'challenger' : 'champion';
}
