/**
 * The binding against the installed library's header: every prototype in src/xgboost/native.ts has the
 * argument count and types c_api.h declares, and the TypeScript interface passes what each prototype
 * takes. The header comes with the library: Debian's libxgboost-dev (installed beside libxgboost0 by
 * scripts/install-system-packages.sh) for the system library; for a wheel's library, c_api.h of the xgboost
 * source distribution of the same version on PyPI (cpp_src/include), named by BANKOPS_TEST_XGBOOST_INCLUDE.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROTOTYPES, xgboostNative } from '../../src/xgboost/native.js';
import {
  differences,
  headerPrototypes,
  parsePrototype,
  tsCarries,
  type Prototype,
} from './helpers/c-prototypes.js';

const nativeSource = path.resolve(import.meta.dirname, '..', '..', 'src', 'xgboost', 'native.ts');

/** The include folder of the header that describes the library bankops loads. */
function includeDir(): string {
  const candidates = [
    process.env.BANKOPS_TEST_XGBOOST_INCLUDE,
    '/usr/include',
    '/usr/local/include',
    path.resolve(path.dirname(xgboostNative().libraryPath), '..', 'include'),
  ].filter((d): d is string => d !== undefined);
  const found = candidates.find((d) => existsSync(path.join(d, 'xgboost', 'c_api.h')));
  if (found === undefined)
    throw new Error(
      `no xgboost/c_api.h under ${candidates.join(', ')}: apt-get install libxgboost-dev (the system library's header), or set BANKOPS_TEST_XGBOOST_INCLUDE`,
    );
  return found;
}

function headerVersion(dir: string): string {
  const text = readFileSync(path.join(dir, 'xgboost', 'version_config.h'), 'utf8');
  const part = (name: string) => new RegExp(`#define XGBOOST_VER_${name}\\s+(\\d+)`).exec(text)?.[1];
  return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
}

function libraryVersion(): string {
  const major: [number] = [0];
  const minor: [number] = [0];
  const patch: [number] = [0];
  xgboostNative().XGBoostVersion(major, minor, patch);
  return `${major[0]}.${minor[0]}.${patch[0]}`;
}

/** The parameter and return types of each method of the XgbNative interface, as written. */
function interfaceSignatures(): Map<string, { params: string[]; returns: string }> {
  const file = ts.createSourceFile(nativeSource, readFileSync(nativeSource, 'utf8'), ts.ScriptTarget.ES2022);
  const found = new Map<string, { params: string[]; returns: string }>();
  file.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'XgbNative') return;
    for (const member of node.members) {
      if (!ts.isMethodSignature(member)) continue;
      found.set(member.name.getText(file), {
        params: member.parameters.map((p) => p.type?.getText(file) ?? 'unknown'),
        returns: member.type?.getText(file) ?? 'unknown',
      });
    }
  });
  return found;
}

describe('the XGBoost binding against c_api.h', () => {
  const dir = includeDir();
  const header = headerPrototypes(readFileSync(path.join(dir, 'xgboost', 'c_api.h'), 'utf8'));
  const bindings = Object.values(PROTOTYPES).map(parsePrototype);

  it('reads the header of the library it loads', () => {
    expect(headerVersion(dir), `${dir}/xgboost vs ${xgboostNative().libraryPath}`).toBe(libraryVersion());
  });

  it('declares every prototype with the header’s argument count and types', () => {
    expect(bindings.length).toBe(Object.keys(PROTOTYPES).length);
    expect(bindings.flatMap((b) => differences(b, header.get(b.name)))).toEqual([]);
  });

  it('gives each interface method the arguments its prototype takes', () => {
    const methods = interfaceSignatures();
    const problems: string[] = [];
    for (const binding of bindings) {
      const method = methods.get(binding.name);
      if (method === undefined) {
        problems.push(`${binding.name}: not in XgbNative`);
        continue;
      }
      if (method.params.length !== binding.params.length)
        problems.push(`${binding.name}: ${method.params.length} parameters for ${binding.params.length}`);
      method.params.forEach((type, i) => {
        const c = binding.params[i];
        if (c && !tsCarries(type, c)) problems.push(`${binding.name}: parameter ${i + 1} ${type}`);
      });
      if (!tsCarries(method.returns, binding.returns))
        problems.push(`${binding.name}: returns ${method.returns}`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses a wrong prototype: a count, a handle kind, an integer width or a string', () => {
    const wrong = (text: string): string[] => {
      const binding: Prototype = parsePrototype(text);
      return differences(binding, header.get(binding.name));
    };
    expect(wrong('int XGDMatrixFree(DMatrixHandle handle, int extra)')).toEqual([
      'XGDMatrixFree: 2 arguments, c_api.h declares 1',
    ]);
    expect(wrong('int XGBoosterFree(DMatrixHandle handle)')).toEqual([
      'XGBoosterFree: argument 1 is DMatrixHandle, c_api.h says BoosterHandle',
    ]);
    expect(wrong('int XGDMatrixNumRow(DMatrixHandle handle, _Out_ int *out)')).toEqual([
      'XGDMatrixNumRow: argument 2 is int32*, c_api.h says uint64*',
    ]);
    expect(wrong('int XGBoosterSetParam(BoosterHandle handle, void *name, const char *value)')).toEqual([
      'XGBoosterSetParam: argument 2 is void*, c_api.h says char*',
    ]);
    expect(wrong('void XGBGetLastError()')).toEqual(['XGBGetLastError: returns void, c_api.h says char*']);
    expect(wrong('int XGBoosterNoSuchThing(BoosterHandle handle)')).toEqual([
      'XGBoosterNoSuchThing: not declared in c_api.h',
    ]);
  });
});
