/**
 * Reads C function prototypes (c_api.h declarations and koffi's prototype strings) into comparable form,
 * and says where a binding differs from the header: a wrong count, a wrong type or a wrong return type.
 */

/** A C type reduced to what the call's ABI depends on: the base type and the pointer depth. */
export interface CType {
  base: string;
  depth: number;
}

export interface Prototype {
  name: string;
  returns: CType;
  params: CType[];
}

/** Scalar names that denote the same machine type. */
const SYNONYMS: Record<string, string> = {
  bst_ulong: 'uint64',
  uint64_t: 'uint64',
  int: 'int32',
  int32_t: 'int32',
  float: 'float32',
  double: 'float64',
};

/** `char const *name[]` → { base: 'char', depth: 2 }; qualifiers, SAL-style annotations and names dropped. */
export function parseType(declaration: string, named = true): CType {
  let text = declaration.replace(/\b(const|_In_|_Out_|_Inout_)\b/g, ' ').trim();
  let depth = 0;
  text = text.replace(/\[\s*\]/g, () => {
    depth += 1;
    return ' ';
  });
  depth += (text.match(/\*/g) ?? []).length;
  const words = text.replace(/\*/g, ' ').trim().split(/\s+/);
  // a parameter's last word is its name, unless the type stands alone (`void`, a return type)
  if (named && words.length > 1) words.pop();
  const base = words.join(' ');
  return { base: SYNONYMS[base] ?? base, depth };
}

/** `int Name(T a, U b)` (no trailing `;`) → its prototype. */
export function parsePrototype(text: string): Prototype {
  const match = /^(.*?)\b([A-Za-z_]\w*)\s*\(([^)]*)\)\s*;?\s*$/s.exec(text.trim());
  if (!match) throw new Error(`not a prototype: ${text}`);
  const [, returns = '', name = '', params = ''] = match;
  const list = params.trim() === '' || params.trim() === 'void' ? [] : params.split(',');
  return { name, returns: parseType(returns, false), params: list.map((p) => parseType(p)) };
}

/** Every `XGB_DLL <type> <Name>(…);` declaration of a header, by name. */
export function headerPrototypes(header: string): Map<string, Prototype> {
  const code = header
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/^\s*#.*$/gm, ' ');
  const found = new Map<string, Prototype>();
  for (const match of code.matchAll(/XGB_DLL\s+([^;{]*?\))\s*;/g)) {
    const text = (match[1] ?? '').replace(/\s+/g, ' ');
    // a declaration with a function-pointer parameter is not one this binding uses
    if (/\(\s*\*/.test(text)) continue;
    const prototype = parsePrototype(text);
    found.set(prototype.name, prototype);
  }
  return found;
}

export const show = (t: CType): string => `${t.base}${'*'.repeat(t.depth)}`;

/**
 * Whether the binding's type passes the same thing as the header's. Equal types do; so does a `void`
 * pointer where the header names the pointee (the binding reads XGBoost-owned memory itself), except for a
 * single `char *`, which must stay a string for koffi to convert it.
 */
export function sameAbi(binding: CType, header: CType): boolean {
  if (binding.base === header.base && binding.depth === header.depth) return true;
  if (binding.base !== 'void' || binding.depth === 0 || binding.depth !== header.depth) return false;
  return !(header.base === 'char' && header.depth === 1);
}

/** What differs between a binding and the header's declaration (empty: they agree). */
export function differences(binding: Prototype, header: Prototype | undefined): string[] {
  if (header === undefined) return [`${binding.name}: not declared in c_api.h`];
  const problems: string[] = [];
  if (!sameAbi(binding.returns, header.returns))
    problems.push(`${binding.name}: returns ${show(binding.returns)}, c_api.h says ${show(header.returns)}`);
  if (binding.params.length !== header.params.length) {
    problems.push(
      `${binding.name}: ${binding.params.length} arguments, c_api.h declares ${header.params.length}`,
    );
    return problems;
  }
  binding.params.forEach((type, i) => {
    const expected = header.params[i] as CType;
    if (!sameAbi(type, expected))
      problems.push(`${binding.name}: argument ${i + 1} is ${show(type)}, c_api.h says ${show(expected)}`);
  });
  return problems;
}

const SCALARS = new Set(['int32', 'uint64', 'float32', 'float64']);
const strip = (ts: string) => ts.replace(/\s*\|\s*null\b/g, '').trim();

/**
 * Whether a TypeScript parameter type of the binding's interface carries the C type koffi marshals:
 * `Out<T>` is one more pointer level around T; `number` a scalar; `string` a `char *`; typed arrays and
 * handle arrays a pointer to their elements; `NativePointer` a `void *` into XGBoost's memory.
 */
export function tsCarries(ts: string, c: CType): boolean {
  const type = strip(ts);
  const out = /^Out<(.+)>$/.exec(type);
  if (out) return c.depth > 0 && tsCarries(out[1] as string, { base: c.base, depth: c.depth - 1 });
  const array = /^(.+)\[\]$/.exec(type);
  if (array) return c.depth > 0 && tsCarries(array[1] as string, { base: c.base, depth: c.depth - 1 });
  switch (type) {
    case 'number':
      return c.depth === 0 && SCALARS.has(c.base);
    case 'string':
      return c.depth === 1 && c.base === 'char';
    case 'void':
      return c.depth === 0 && c.base === 'void';
    case 'Float32Array':
      return c.depth === 1 && c.base === 'float32';
    case 'Uint8Array':
    case 'NativePointer':
      return c.depth === 1 && c.base === 'void';
    default:
      return c.depth === 0 && c.base === type;
  }
}
