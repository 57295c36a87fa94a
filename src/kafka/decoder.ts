import { errorMessage } from '../errors/index.js';
import { schemaName, type SchemaRegistry } from './registry.js';

/** One message's decoding: the value, or why it cannot be decoded. */
export type Decoded = { ok: true; value: unknown } | { ok: false; error: string };

/** A body its writer's schema cannot read: named by the schema's id and subjects once they are known. */
type BadBody = { ok: false; schemaId: number; cause: string };

type Schema = Awaited<ReturnType<SchemaRegistry['getSchema']>>;

const HEADER_BYTES = 5;

/**
 * Decodes Confluent-framed messages (magic byte 0, 4-byte schema id, body) with the writer's schema, like
 * `SchemaRegistry.decode`, but a batch at a time: each schema id missing from the cache is looked up once
 * per batch, then every message is decoded synchronously. The registry client awaits a (cached) lookup
 * for every message, which costs more than the Avro decoding itself at tens of thousands a second.
 */
export class BatchDecoder {
  private readonly schemas = new Map<number, Schema>();

  constructor(private readonly registry: SchemaRegistry) {}

  /** Decodes each value (null and framing errors come back as errors, in order). */
  async decodeAll(values: ReadonlyArray<Buffer | null>): Promise<Decoded[]> {
    const lookupErrors = await this.fetchMissing(values);
    const results = values.map((value) => this.decodeOne(value, lookupErrors));
    const names = new Map<number, string>();
    for (const result of results) {
      if ('schemaId' in result && !names.has(result.schemaId)) {
        names.set(
          result.schemaId,
          schemaName(result.schemaId, await this.registry.subjectsOf(result.schemaId)),
        );
      }
    }
    if (names.size === 0) return results as Decoded[];
    return results.map((result) =>
      'schemaId' in result
        ? { ok: false, error: `cannot decode Avro with ${names.get(result.schemaId)}: ${result.cause}` }
        : result,
    );
  }

  private async fetchMissing(values: ReadonlyArray<Buffer | null>): Promise<Map<number, string>> {
    const missing = new Set<number>();
    for (const value of values) {
      const id = schemaIdOf(value);
      if (id !== undefined && !this.schemas.has(id)) missing.add(id);
    }
    const errors = new Map<number, string>();
    for (const id of missing) {
      try {
        this.schemas.set(id, await this.registry.getSchema(id));
      } catch (error) {
        // Not cached: the registry may answer for this id on the next batch.
        errors.set(id, `schema ${id} unavailable: ${errorMessage(error)}`);
      }
    }
    return errors;
  }

  private decodeOne(value: Buffer | null, lookupErrors: Map<number, string>): Decoded | BadBody {
    if (value === null) return { ok: false, error: 'empty value' };
    const id = schemaIdOf(value);
    if (id === undefined) {
      return value.length < HEADER_BYTES
        ? { ok: false, error: `${value.length} bytes: too short for the Confluent wire format` }
        : { ok: false, error: `message encoded with magic byte ${value[0]}, expected 0` };
    }
    const schema = this.schemas.get(id);
    if (schema === undefined) return { ok: false, error: lookupErrors.get(id) ?? `schema ${id} unavailable` };
    try {
      return { ok: true, value: schema.fromBuffer(value.subarray(HEADER_BYTES)) as unknown };
    } catch (error) {
      return { ok: false, schemaId: id, cause: errorMessage(error) };
    }
  }
}

function schemaIdOf(value: Buffer | null): number | undefined {
  if (value === null || value.length < HEADER_BYTES || value[0] !== 0) return undefined;
  return value.readInt32BE(1);
}
