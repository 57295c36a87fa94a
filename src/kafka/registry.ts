import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SchemaRegistry as RegistryClient, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/index.js';
import { BankopsError, errorMessage } from '../errors/index.js';

/** How long a subjects lookup may take: it only makes a dead letter's reason more readable. */
const SUBJECTS_TIMEOUT_MS = 3_000;
const SUBJECTS_RETRY_MS = 60_000;

/**
 * The Confluent-compatible registry client (Apicurio's `/apis/ccompat/v7` in the local stack), which also
 * says under which subjects a schema id is registered.
 */
export class SchemaRegistry extends RegistryClient {
  readonly #host: string;
  /** Per schema id: its subjects (or the lookup under way), and when a lookup last failed. */
  readonly #subjects = new Map<number, Promise<readonly string[]>>();
  readonly #failedAt = new Map<number, number>();

  constructor(host: string) {
    super({ host, retry: { retries: 3 } });
    this.#host = host;
  }

  /**
   * The subjects schema `id` is registered under (`GET /schemas/ids/{id}/versions`), oldest first, looked
   * up once; empty when the registry cannot say (asked again after a minute, not for every message).
   */
  subjectsOf(id: number): Promise<readonly string[]> {
    const known = this.#subjects.get(id);
    if (known !== undefined) return known;
    if (Date.now() - (this.#failedAt.get(id) ?? -Infinity) < SUBJECTS_RETRY_MS) return Promise.resolve([]);
    const lookup = this.#lookUpSubjects(id).catch(() => {
      this.#subjects.delete(id);
      this.#failedAt.set(id, Date.now());
      return [];
    });
    this.#subjects.set(id, lookup);
    return lookup;
  }

  async #lookUpSubjects(id: number): Promise<readonly string[]> {
    const response = await fetch(`${this.#host}/schemas/ids/${id}/versions`, {
      signal: AbortSignal.timeout(SUBJECTS_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body: unknown = await response.json();
    if (!Array.isArray(body)) throw new Error('not a list of subject versions');
    const subjects = body
      .map((v: unknown) => (v && typeof v === 'object' ? (v as { subject?: unknown }).subject : undefined))
      .filter((subject): subject is string => typeof subject === 'string');
    return [...new Set(subjects)];
  }
}

export function createRegistry(config: Config): SchemaRegistry {
  return new SchemaRegistry(config.urls.schemaRegistry);
}

const SUBJECTS_SHOWN = 3;

/** A schema id as a reason names it: "schema id 42, subject bank.predictions.v1-value" (the id alone if none). */
export function schemaName(id: number, subjects: readonly string[]): string {
  if (subjects.length === 0) return `schema id ${id}`;
  const shown = subjects.slice(0, SUBJECTS_SHOWN).join(', ');
  const more = subjects.length > SUBJECTS_SHOWN ? ` and ${subjects.length - SUBJECTS_SHOWN} more` : '';
  return `schema id ${id}, subject${subjects.length > 1 ? 's' : ''} ${shown}${more}`;
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
