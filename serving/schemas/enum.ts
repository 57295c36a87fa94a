import { Kind, Type, TypeRegistry, type SchemaOptions, type TUnsafe } from '@sinclair/typebox';

const KIND = 'StringEnum';

if (!TypeRegistry.Has(KIND)) {
  TypeRegistry.Set<{ enum: readonly string[] }>(
    KIND,
    (schema, value) => typeof value === 'string' && schema.enum.includes(value),
  );
}

/**
 * A string out of a fixed list, as JSON Schema's `enum` (so OpenAPI shows the list and clients generate
 * the values), checked by TypeBox's compiler through its type registry.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: KIND, type: 'string', enum: [...values] });
}

/** Whether a schema is a StringEnum (the validator words its errors as an unknown category). */
export const isStringEnum = (schema: unknown): schema is { enum: string[] } =>
  typeof schema === 'object' && schema !== null && (schema as Record<symbol, unknown>)[Kind] === KIND;
