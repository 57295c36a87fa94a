/**
 * Brings up the real services once per test run, or reuses them when they already run. Only the
 * services this setup started are stopped afterwards. BANKOPS_TEST_STACK narrows the set
 * (comma-separated service names, or `none`), BANKOPS_TEST_KEEP_STACK=1 leaves them running.
 */
import { getConfig } from '../../src/config/index.js';
import { logger } from '../../src/logging/index.js';
import { stackDown, stackStatus, stackUp } from '../../src/stack/stack.js';
import { SERVICE_NAMES, type ServiceName } from '../../src/stack/types.js';

function requested(): ServiceName[] {
  const raw = process.env.BANKOPS_TEST_STACK;
  if (!raw) return [...SERVICE_NAMES];
  if (raw === 'none') return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is ServiceName => (SERVICE_NAMES as readonly string[]).includes(s));
}

export default async function setup(): Promise<() => Promise<void>> {
  const config = getConfig();
  const log = logger('test-stack');
  const only = requested();
  if (only.length === 0) return async () => undefined;
  const before = await stackStatus({ config, log, only });
  const alreadyUp = new Set(before.filter((s) => s.up).map((s) => s.name));
  await stackUp({ config, log, only });
  const startedHere = only.filter((name) => !alreadyUp.has(name));
  return async () => {
    if (process.env.BANKOPS_TEST_KEEP_STACK === '1' || startedHere.length === 0) return;
    await stackDown({ config, log, only: startedHere });
  };
}
