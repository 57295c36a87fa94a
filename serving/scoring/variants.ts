import { createHash, randomInt } from 'node:crypto';
import type { Routing } from '../../src/registry/index.js';
import type { Role } from '../model/handle.js';

const BUCKETS = 10_000;

/** A stable bucket in [0, 10000) for a customer key: the same customer always lands in the same one. */
export function bucketOf(customerKey: string): number {
  return createHash('sha256').update(customerKey).digest().readUInt32BE(0) % BUCKETS;
}

/**
 * Which model answers: the champion, except in `ab` mode (a canary, or serving's own A/B setting) where
 * the challenger answers the customers whose bucket falls under the share: the same customer always meets
 * the same version. Without a key, the draw is random per record (not sticky).
 */
export function routeVariant(
  routing: Pick<Routing, 'mode' | 'share'>,
  customerKey: string | undefined,
  challengerLoaded: boolean,
): Role {
  if (routing.mode !== 'ab' || !challengerLoaded || routing.share <= 0) return 'champion';
  const bucket = customerKey === undefined ? randomInt(BUCKETS) : bucketOf(customerKey);
  return bucket < routing.share * BUCKETS ? 'challenger' : 'champion';
}
