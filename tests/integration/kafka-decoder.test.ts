/**
 * BatchDecoder (the monitor's synchronous Avro decoding) against the real registry: the same values as
 * `SchemaRegistry.decode`, and a reason for each message it cannot decode, without failing the batch.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';
import { BatchDecoder } from '../../src/kafka/decoder.js';
import type { GroundTruth } from '../../src/kafka/generated/types.js';
import { createRegistry, readSchema, registerAvro } from '../../src/kafka/registry.js';

const config = getConfig();

describe('BatchDecoder', () => {
  it('decodes like the registry client, and names what it cannot decode', async () => {
    const registry = createRegistry(config);
    const schema = await readSchema(config.repoRoot, 'ground-truth.avsc');
    const id = await registerAvro(registry, `bankops-test-${randomUUID()}-value`, schema);
    const labels: GroundTruth[] = [
      { prediction_id: randomUUID(), event_time: 1_700_000_000_000, outcome: true, source: 'test' },
      { prediction_id: randomUUID(), event_time: 1_700_000_000_001, outcome: false, source: 'test' },
    ];
    const encoded = await Promise.all(labels.map((l) => registry.encode(id, l)));
    const first = encoded[0] as Buffer;
    const badMagic = Buffer.from(first);
    badMagic[0] = 1;
    const unknownId = Buffer.from(first);
    unknownId.writeInt32BE(2_000_000_000, 1);

    const decoder = new BatchDecoder(registry);
    const results = await decoder.decodeAll([
      ...encoded,
      null,
      Buffer.from([0, 0]),
      badMagic,
      first.subarray(0, first.length - 3),
      unknownId,
    ]);

    const expected = await Promise.all(encoded.map((b) => registry.decode(b)));
    expect(results.slice(0, 2)).toEqual(expected.map((value) => ({ ok: true, value })));
    expect(results.slice(0, 2).map((r) => r.ok && r.value)).toEqual(labels);
    const errors = results.slice(2).map((r) => (r.ok ? 'decoded' : r.error));
    expect(errors[0]).toBe('empty value');
    expect(errors[1]).toMatch(/too short/);
    expect(errors[2]).toMatch(/magic byte 1/);
    expect(errors[3]).not.toBe('decoded');
    expect(errors[3]).toMatch(new RegExp(`^cannot decode Avro with schema id ${id}, subjects? .*-value`));
    expect(errors[4]).toMatch(/schema 2000000000 unavailable/);

    // Later batches reuse the cached schema; an unknown id is asked again (the registry may have it then).
    const again = await decoder.decodeAll([encoded[1] ?? null, unknownId]);
    expect(again[0]).toEqual({ ok: true, value: expected[1] });
    expect(again[1]?.ok).toBe(false);
  });

  it('names the schema of a body it cannot read by id and by subject', async () => {
    const registry = createRegistry(config);
    // A schema of its own, so that the id is registered under this subject only.
    const name = `T${randomUUID().replaceAll('-', '')}`;
    const schema = JSON.stringify({ type: 'record', name, fields: [{ name: 'text', type: 'string' }] });
    const subject = `bankops-test-${randomUUID()}-value`;
    const id = await registerAvro(registry, subject, schema);
    const encoded = await registry.encode(id, { text: 'a value long enough to cut' });
    const truncated = encoded.subarray(0, encoded.length - 3);

    const [result] = await new BatchDecoder(registry).decodeAll([truncated, truncated]);

    expect(result?.ok).toBe(false);
    expect(result?.ok === false && result.error).toMatch(
      new RegExp(`^cannot decode Avro with schema id ${id}, subject ${subject}: `),
    );
    expect(await registry.subjectsOf(id)).toEqual([subject]);
    // an id the registry does not know keeps the id only
    expect(await registry.subjectsOf(2_000_000_000)).toEqual([]);
  });
});
