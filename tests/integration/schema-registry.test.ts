/**
 * @kafkajs/confluent-schema-registry against the local Apicurio Registry's Confluent API (ccompat v7):
 * ids, Avro wire format, BACKWARD compatibility, and ids that survive a registry restart.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { getConfig } from '../../src/config/index.js';
import { logger } from '../../src/logging/index.js';
import { stackDown, stackStatus, stackUp } from '../../src/stack/stack.js';

const config = getConfig();
const url = config.urls.schemaRegistry;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

const name = `Contact${randomUUID().replaceAll('-', '')}`;
const namespace = 'bankops.test';
const v1 = {
  type: 'record',
  name,
  namespace,
  fields: [
    { name: 'age', type: 'int' },
    { name: 'job', type: 'string' },
  ],
};
/** BACKWARD-compatible: the new field is optional with a default, so v2 readers can read v1 data. */
const v2 = {
  ...v1,
  fields: [...v1.fields, { name: 'balance', type: ['null', 'double'], default: null }],
};
/** Not BACKWARD-compatible: a required field without a default cannot be filled in from v1 data. */
const incompatible = {
  ...v1,
  fields: [...v1.fields, { name: 'campaign', type: 'int' }],
};
const avro = (schema: object) => ({ type: SchemaType.AVRO as const, schema: JSON.stringify(schema) });

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, { headers: { accept: CONTENT_TYPE } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function postSchema(subject: string, schema: object) {
  const response = await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'content-type': CONTENT_TYPE },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('schema registry (Confluent API of the local Apicurio Registry)', () => {
  const subject = `bankops-test-${randomUUID()}-value`;
  const registry = new SchemaRegistry({ host: url });
  const record = { age: 41, job: 'technician' };
  let id1 = 0;
  let id2 = 0;
  let encodedV1: Buffer = Buffer.alloc(0);

  it('reads BACKWARD as the global compatibility', async () => {
    const { status, body } = await getJson('/config');
    expect(status).toBe(200);
    expect(body.compatibilityLevel).toBe('BACKWARD');
  });

  it('registers an Avro schema, encodes and decodes a record, and resolves the schema by id', async () => {
    ({ id: id1 } = await registry.register(avro(v1), { subject }));
    expect(id1).toBeGreaterThan(0);
    expect(await registry.getLatestSchemaId(subject)).toBe(id1);

    encodedV1 = await registry.encode(id1, record);
    // Confluent wire format: magic byte 0, then the schema id as a big-endian int32.
    expect(encodedV1[0]).toBe(0);
    expect(encodedV1.readInt32BE(1)).toBe(id1);
    expect(await registry.decode(encodedV1)).toEqual(record);

    // A client with an empty cache has to fetch the schema through GET /schemas/ids/{id}.
    const fresh = new SchemaRegistry({ host: url });
    const schema = (await fresh.getSchema(id1)) as { name?: string };
    expect(schema.name).toBe(`${namespace}.${name}`);
    expect(await fresh.decode(encodedV1)).toEqual(record);
  });

  it('gives the same schema the same id under another subject', async () => {
    const other = `bankops-test-${randomUUID()}-value`;
    const { id } = await registry.register(avro(v1), { subject: other });
    expect(id).toBe(id1);
  });

  it('accepts a BACKWARD-compatible evolution with a new id, and old messages still decode', async () => {
    ({ id: id2 } = await registry.register(avro(v2), { subject }));
    expect(id2).not.toBe(id1);
    expect(await registry.getLatestSchemaId(subject)).toBe(id2);
    const withBalance = { ...record, balance: 1250.5 };
    expect(await registry.decode(await registry.encode(id2, withBalance))).toEqual(withBalance);
    expect(await registry.decode(encodedV1)).toEqual(record);
  });

  it('refuses an incompatible change', async () => {
    await expect(registry.register(avro(incompatible), { subject })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/incompatible/i) as unknown,
    });
    expect(await registry.getLatestSchemaId(subject)).toBe(id2);
  });

  it('enforces the global level on a subject without its own compatibility setting', async () => {
    // Plain HTTP, since the client sets a subject-level level on first registration.
    const plain = `bankops-test-${randomUUID()}-value`;
    expect((await postSchema(plain, v1)).status).toBe(200);
    const refused = await postSchema(plain, incompatible);
    expect(refused.status).toBe(409);
    expect(String(refused.body.message)).toMatch(/incompatible/i);
  });

  it('still resolves the schema ids after the registry restarts', async (context) => {
    const log = logger('test-schema-registry');
    const [status] = await stackStatus({ config, log, only: ['schemaRegistry'] });
    // Only a registry this stack manages can be restarted here (not an external one).
    if (!status?.managed) context.skip();
    await stackDown({ config, log, only: ['schemaRegistry'] });
    await stackUp({ config, log, only: ['schemaRegistry'] });

    const fresh = new SchemaRegistry({ host: url });
    expect(await fresh.decode(encodedV1)).toEqual(record);
    expect(((await fresh.getSchema(id2)) as { name?: string }).name).toBe(`${namespace}.${name}`);
    expect(await fresh.getLatestSchemaId(subject)).toBe(id2);
    // Registering known content returns its old id; new content gets an id never used before.
    expect((await fresh.register(avro(v2), { subject })).id).toBe(id2);
    const v3 = { ...v2, fields: [...v2.fields, { name: 'pdays', type: 'int', default: -1 }] };
    expect((await fresh.register(avro(v3), { subject })).id).toBeGreaterThan(Math.max(id1, id2));
    expect((await getJson('/config')).body.compatibilityLevel).toBe('BACKWARD');
  });
});
