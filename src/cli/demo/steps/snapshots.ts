import { withLake } from '../../../lake/duckdb.js';
import { batchIdsBySnapshot, snapshots } from '../../../lake/snapshots.js';
import { println } from '../../output.js';
import type { DemoStep } from '../context.js';

export const snapshotsStep: DemoStep = {
  name: 'snapshots',
  title: 'Iceberg snapshots of bank.customers (one per commit)',
  async run({ config }) {
    await withLake(config, async (lake) => {
      const list = await snapshots(lake, config, 'bank.customers');
      const shown = list.slice(-5);
      const before =
        list.length > shown.length ? (list[list.length - shown.length - 1]?.snapshotId ?? null) : null;
      const batches = await batchIdsBySnapshot(lake, 'bank.customers', shown, before);
      for (const s of shown) {
        println(
          `   #${s.sequenceNumber} ${s.snapshotId} +${s.summary['added-records'] ?? '?'} rows, total ${s.summary['total-records'] ?? '?'}: ${(batches.get(s.snapshotId) ?? []).join(', ')}`,
        );
      }
    });
  },
};
