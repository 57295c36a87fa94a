/**
 * TypeScript types from the Avro schemas in topics/schemas. `npm run generate` writes
 * src/kafka/generated/types.ts; a unit test regenerates it in memory and fails when the file differs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

type AvroType = string | AvroType[] | { type: string; [key: string]: unknown };
interface AvroField {
  name: string;
  type: AvroType;
  doc?: string;
}
interface AvroRecord {
  type: 'record';
  name: string;
  doc?: string;
  fields: AvroField[];
}

const PRIMITIVES: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

function tsType(type: AvroType): string {
  if (typeof type === 'string') {
    const primitive = PRIMITIVES[type];
    if (!primitive) throw new Error(`unsupported Avro type ${type}`);
    return primitive;
  }
  if (Array.isArray(type)) return type.map(tsType).join(' | ');
  if (type.type === 'array') return `Array<${tsType(type.items as AvroType)}>`;
  if (type.type === 'map') return `Record<string, ${tsType(type.values as AvroType)}>`;
  if (type.type === 'enum') return (type.symbols as string[]).map((s) => `'${s}'`).join(' | ');
  // logical types (timestamp-millis) decode to their underlying type without avsc logical type hooks
  return tsType(type.type);
}

export function schemaDir(root: string): string {
  return path.join(root, 'topics', 'schemas');
}

export function generateTypes(root: string): string {
  const dir = schemaDir(root);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort();
  const out: string[] = ['// Generated from topics/schemas/*.avsc by `npm run generate`. Do not edit.', ''];
  for (const file of files) {
    const record = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as AvroRecord;
    out.push(`/** ${record.doc ?? record.name} (topics/schemas/${file}) */`);
    out.push(`export interface ${record.name} {`);
    for (const field of record.fields) {
      if (field.doc) out.push(`  /** ${field.doc} */`);
      out.push(`  ${field.name}: ${tsType(field.type)};`);
    }
    out.push('}', '');
  }
  return out.join('\n');
}
