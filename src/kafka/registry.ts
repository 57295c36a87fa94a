import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/index.js';
import { BankopsError, errorMessage } from '../errors/index.js';

export type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

/** The Confluent-compatible registry client (Apicurio's `/apis/ccompat/v7` in the local stack). */
export function createRegistry(config: Config): SchemaRegistry {
  return new SchemaRegistry({ host: config.urls.schemaRegistry, retry: { retries: 3 } });
}

export function subjectFor(topic: string): string {
  return `${topic}-value`;
}

export async function readSchema(root: string, file: string): Promise<string> {
  return readFile(path.join(root, 'topics', 'schemas', file), 'utf8');
}

/**
 * Registers an Avro schema under a subject; the same schema again returns the same id. A change the
 * subject's compatibility rule refuses throws DATA_INVALID naming the subject.
 */
export async function registerAvro(
  registry: SchemaRegistry,
  subject: string,
  schema: string,
): Promise<number> {
  try {
    const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject });
    return id;
  } catch (error) {
    const message = errorMessage(error);
    if (/incompatible|409/i.test(message)) {
      throw new BankopsError(
        'DATA_INVALID',
        `schema for ${subject} is not compatible with the registered one`,
        {
          cause: error,
          hint: message,
        },
      );
    }
    throw new BankopsError('REGISTRY_FAILED', `cannot register the schema for ${subject}: ${message}`, {
      cause: error,
    });
  }
}
