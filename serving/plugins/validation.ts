import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { FastifySchemaCompiler } from 'fastify';
import { BankopsError } from '../../src/errors/index.js';
import { isStringEnum } from '../schemas/enum.js';

// TypeBox's compiler knows no string formats by default; these are the ones the schemas use.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value));
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)));

/** `/records/0/age` → `records[0].age` (how a client would write it). */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

const REASONS: Record<string, string> = {
  'Unexpected property': 'unknown field',
  'Expected required property': 'required field is missing',
};

interface Branch {
  check: TypeCheck<TSchema>;
  keys: Set<string>;
  isString: boolean;
}

function branchesOf(schema: TSchema): Branch[] {
  const options = Array.isArray(schema['anyOf']) ? (schema['anyOf'] as TSchema[]) : [schema];
  return options.map((option) => ({
    check: TypeCompiler.Compile(option),
    keys: new Set(Object.keys((option['properties'] as object | undefined) ?? {})),
    isString: option['type'] === 'string',
  }));
}

/**
 * For a union body (one record or a batch, MLflow's four formats), the branch the client evidently meant:
 * the one sharing the most field names with the body. Its errors are then specific ("records[2].age:
 * expected integer") instead of "matches no schema of the union".
 */
function closest(branches: Branch[], value: unknown): Branch {
  if (typeof value === 'string') return branches.find((b) => b.isString) ?? (branches[0] as Branch);
  const keys = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  let best = branches[0] as Branch;
  let bestScore = -1;
  for (const branch of branches) {
    if (branch.isString) continue;
    const score = keys.filter((k) => branch.keys.has(k)).length;
    if (score > bestScore) [best, bestScore] = [branch, score];
  }
  return best;
}

/** For a union of objects: a body key no branch knows, when no key matches any branch at all. */
function strayKey(branches: Branch[], value: unknown): string | undefined {
  if (branches.length < 2 || value === null || typeof value !== 'object' || Array.isArray(value))
    return undefined;
  const keys = Object.keys(value);
  const known = (k: string) => branches.some((b) => b.keys.has(k));
  return keys.some(known) ? undefined : keys[0];
}

/** The first problem of `value` against `schema`, as a 400 BankopsError naming the field, or undefined. */
function validationError(branches: Branch[], value: unknown, prefix: string): BankopsError | undefined {
  if (branches.some((b) => b.check.Check(value))) return undefined;
  const stray = strayKey(branches, value);
  if (stray !== undefined) {
    const where = [prefix, stray].filter(Boolean).join('.');
    const known = [...new Set(branches.flatMap((b) => [...b.keys]))].join(', ');
    return new BankopsError('DATA_INVALID', `${where}: unknown field`, {
      details: { field: where, reason: 'unknown field' },
      hint: `Expected one of: ${known}.`,
    });
  }
  const errors = [...closest(branches, value).check.Errors(value)];
  // A missing property also yields a type error at the same path; the first one says it best.
  const first = errors[0];
  const field = first ? fieldPath(first.path) : '';
  // a missing category is reported as missing (TypeBox gives its schema too), not as a wrong value
  const categories = isStringEnum(first?.schema) && first.value !== undefined ? first.schema.enum : undefined;
  const reason = !first
    ? 'invalid'
    : categories === undefined
      ? (REASONS[first.message] ?? first.message.replace(/^Expected/, 'expected'))
      : typeof first.value === 'string'
        ? 'unknown category'
        : 'expected string';
  const others = new Set(errors.map((e) => e.path)).size - 1;
  const where = [prefix, field].filter(Boolean).join(field.startsWith('[') ? '' : '.') || 'body';
  const hints = [
    categories && `Expected one of: ${categories.join(', ')}.`,
    others > 0 && `${others} more field(s) with problems in this request.`,
  ].filter(Boolean);
  const shown = reason === 'unknown category' ? `${reason} ${JSON.stringify(first?.value)}` : reason;
  return new BankopsError('DATA_INVALID', `${where}: ${shown}`, {
    details: { field: where, reason },
    hint: hints.length > 0 ? hints.join(' ') : undefined,
  });
}

/**
 * Fastify's validator, backed by TypeBox's compiler instead of Ajv: no type coercion, no silent removal of
 * unknown fields (they are refused), no defaults filled in: a request is either exactly right or a 400.
 */
export const typeboxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const branches = branchesOf(schema);
  return (value: unknown) => {
    const error = validationError(
      branches,
      value,
      httpPart === 'body' || httpPart === undefined ? '' : httpPart,
    );
    return error === undefined ? { value } : { error };
  };
};

/** The same check outside Fastify (records taken out of an MLflow frame); `prefix` names the record. */
export function compileChecker(
  schema: TSchema,
): (value: unknown, prefix: string) => BankopsError | undefined {
  const branches = branchesOf(schema);
  return (value, prefix) => validationError(branches, value, prefix);
}
