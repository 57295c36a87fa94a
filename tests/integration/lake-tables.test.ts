import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';
import { openLake, quoteIdent, withLake } from '../../src/lake/duckdb.js';
import { IcebergSink } from '../../src/lake/sink.js';
import { countRows, dataFileStats } from '../../src/lake/snapshots.js';
import { MONITORING_METRICS_TABLE, qualifiedName, renamed } from '../../src/lake/tables.js';

const config = getConfig();
const namespace = `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const spec = renamed(MONITORING_METRICS_TABLE, `${namespace}.monitoring_metrics`);
const table = qualifiedName(spec);
const sink = new IcebergSink(() => openLake(config));

const rows = (n: number, time: number) =>
  Array.from({ length: n }, (_, i) => ({
    time: time + i,
    model_version: '1',
    variant: 'champion',
    window: 'last_1000',
    metric: 'accuracy',
    value: i % 7 === 0 ? Number.NaN : i / n,
    feature: i % 2 === 0 ? null : 'age',
    insufficient: false,
  }));

afterAll(async () => {
  sink.close();
  await withLake(config, async (lake) => {
    await lake.run(`DROP TABLE IF EXISTS lake.${quoteIdent(namespace)}.monitoring_metrics`);
  });
});

describe('a table no topic lands in, through the one append path', () => {
  it('is created from its spec, counts no data files while empty, and one file per append after', async () => {
    await sink.ensureTable(spec);
    await withLake(config, async (lake) => {
      expect(await dataFileStats(lake, table)).toEqual({ dataFiles: 0, averageFileBytes: null });
    });
    for (let batch = 0; batch < 3; batch++) {
      const result = await sink.append(spec, rows(100, batch * 1000));
      expect(result).toMatchObject({ table, rows: 100, skipped: 0 });
      expect(result.snapshotId).toMatch(/^\d+$/);
    }
    await withLake(config, async (lake) => {
      expect(await countRows(lake, table)).toBe(300);
      const stats = await dataFileStats(lake, table);
      expect(stats.dataFiles).toBe(3);
      expect(stats.averageFileBytes).toBeGreaterThan(0);
      // A value that is not a finite number is stored as NULL, as the history always did.
      const [nulls] = await lake.all<{ n: bigint }>(
        `SELECT count(*) AS n FROM lake.${quoteIdent(namespace)}.monitoring_metrics WHERE value IS NULL`,
      );
      expect(Number(nulls?.n)).toBe(3 * 15);
    });
  });
});
