import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import koffi from 'koffi';
import { getConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { BankopsError } from '../errors/index.js';

/**
 * The raw XGBoost C API (c_api.h, 1.7.x) through koffi. Only this file knows about koffi; dmatrix.ts and
 * booster.ts build the safe, typed API on top. Koffi 3 represents pointers as BigInt, so the two handle
 * kinds are branded bigints: passing a Booster where a DMatrix is expected does not compile.
 */

declare const handleBrand: unique symbol;
export type DMatrixHandle = bigint & { readonly [handleBrand]: 'DMatrixHandle' };
export type BoosterHandle = bigint & { readonly [handleBrand]: 'BoosterHandle' };
/** A pointer into memory that XGBoost owns (valid until the next call on the same booster). */
export type NativePointer = bigint & { readonly [handleBrand]: 'NativePointer' };

/** One-element arrays: koffi writes `_Out_` parameters into them. */
type Out<T> = [T];

// Named opaque pointer types so that the prototypes below read like c_api.h.
koffi.pointer('DMatrixHandle', koffi.opaque());
koffi.pointer('BoosterHandle', koffi.opaque());
koffi.alias('bst_ulong', 'uint64_t');

export interface XgbNative {
  readonly libraryPath: string;
  XGBoostVersion(major: Out<number>, minor: Out<number>, patch: Out<number>): void;
  XGBGetLastError(): string;
  XGDMatrixCreateFromMat(
    data: Float32Array,
    nrow: number,
    ncol: number,
    missing: number,
    out: Out<DMatrixHandle | null>,
  ): number;
  XGDMatrixSetFloatInfo(handle: DMatrixHandle, field: string, array: Float32Array, len: number): number;
  XGDMatrixNumRow(handle: DMatrixHandle, out: Out<number>): number;
  XGDMatrixNumCol(handle: DMatrixHandle, out: Out<number>): number;
  XGDMatrixFree(handle: DMatrixHandle): number;
  XGBoosterCreate(dmats: DMatrixHandle[], len: number, out: Out<BoosterHandle | null>): number;
  XGBoosterFree(handle: BoosterHandle): number;
  XGBoosterSetParam(handle: BoosterHandle, name: string, value: string): number;
  XGBoosterSaveJsonConfig(handle: BoosterHandle, outLen: Out<number>, out: Out<string | null>): number;
  XGBoosterGetNumFeature(handle: BoosterHandle, out: Out<number>): number;
  XGBoosterBoostedRounds(handle: BoosterHandle, out: Out<number>): number;
  XGBoosterSlice(
    handle: BoosterHandle,
    begin: number,
    end: number,
    step: number,
    out: Out<BoosterHandle | null>,
  ): number;
  XGBoosterUpdateOneIter(handle: BoosterHandle, iter: number, dtrain: DMatrixHandle): number;
  XGBoosterEvalOneIter(
    handle: BoosterHandle,
    iter: number,
    dmats: DMatrixHandle[],
    names: string[],
    len: number,
    out: Out<string | null>,
  ): number;
  XGBoosterPredictFromDMatrix(
    handle: BoosterHandle,
    dmat: DMatrixHandle,
    config: string,
    outShape: Out<NativePointer | null>,
    outDim: Out<number>,
    outResult: Out<NativePointer | null>,
  ): number;
  XGBoosterPredictFromDense(
    handle: BoosterHandle,
    arrayInterface: string,
    config: string,
    proxy: DMatrixHandle | null,
    outShape: Out<NativePointer | null>,
    outDim: Out<number>,
    outResult: Out<NativePointer | null>,
  ): number;
  XGBoosterSaveModelToBuffer(
    handle: BoosterHandle,
    config: string,
    outLen: Out<number>,
    outData: Out<NativePointer | null>,
  ): number;
  XGBoosterLoadModelFromBuffer(handle: BoosterHandle, buf: Uint8Array, len: number): number;
  XGBoosterSetAttr(handle: BoosterHandle, key: string, value: string | null): number;
  XGBoosterGetAttr(handle: BoosterHandle, key: string, out: Out<string | null>, success: Out<number>): number;
}

/** Each entry: our name → the C prototype as koffi reads it; the comment is the declaration in c_api.h. */
export const PROTOTYPES: Record<Exclude<keyof XgbNative, 'libraryPath'>, string> = {
  // XGB_DLL void XGBoostVersion(int* major, int* minor, int* patch);
  XGBoostVersion: 'void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)',
  // XGB_DLL const char *XGBGetLastError();
  XGBGetLastError: 'const char *XGBGetLastError()',
  // XGB_DLL int XGDMatrixCreateFromMat(const float *data, bst_ulong nrow, bst_ulong ncol, float missing, DMatrixHandle *out);
  XGDMatrixCreateFromMat:
    'int XGDMatrixCreateFromMat(const float *data, bst_ulong nrow, bst_ulong ncol, float missing, _Out_ DMatrixHandle *out)',
  // XGB_DLL int XGDMatrixSetFloatInfo(DMatrixHandle handle, const char *field, const float *array, bst_ulong len);
  XGDMatrixSetFloatInfo:
    'int XGDMatrixSetFloatInfo(DMatrixHandle handle, const char *field, const float *array, bst_ulong len)',
  // XGB_DLL int XGDMatrixNumRow(DMatrixHandle handle, bst_ulong *out);
  XGDMatrixNumRow: 'int XGDMatrixNumRow(DMatrixHandle handle, _Out_ bst_ulong *out)',
  // XGB_DLL int XGDMatrixNumCol(DMatrixHandle handle, bst_ulong *out);
  XGDMatrixNumCol: 'int XGDMatrixNumCol(DMatrixHandle handle, _Out_ bst_ulong *out)',
  // XGB_DLL int XGDMatrixFree(DMatrixHandle handle);
  XGDMatrixFree: 'int XGDMatrixFree(DMatrixHandle handle)',
  // XGB_DLL int XGBoosterCreate(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle *out);
  XGBoosterCreate: 'int XGBoosterCreate(DMatrixHandle *dmats, bst_ulong len, _Out_ BoosterHandle *out)',
  // XGB_DLL int XGBoosterFree(BoosterHandle handle);
  XGBoosterFree: 'int XGBoosterFree(BoosterHandle handle)',
  // XGB_DLL int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value);
  XGBoosterSetParam: 'int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value)',
  // XGB_DLL int XGBoosterSaveJsonConfig(BoosterHandle handle, bst_ulong *out_len, char const **out_str);
  XGBoosterSaveJsonConfig:
    'int XGBoosterSaveJsonConfig(BoosterHandle handle, _Out_ bst_ulong *out_len, _Out_ const char **out_str)',
  // XGB_DLL int XGBoosterGetNumFeature(BoosterHandle handle, bst_ulong *out);
  XGBoosterGetNumFeature: 'int XGBoosterGetNumFeature(BoosterHandle handle, _Out_ bst_ulong *out)',
  // XGB_DLL int XGBoosterBoostedRounds(BoosterHandle handle, int* out);
  XGBoosterBoostedRounds: 'int XGBoosterBoostedRounds(BoosterHandle handle, _Out_ int *out)',
  // XGB_DLL int XGBoosterSlice(BoosterHandle handle, int begin_layer, int end_layer, int step, BoosterHandle *out);
  XGBoosterSlice:
    'int XGBoosterSlice(BoosterHandle handle, int begin_layer, int end_layer, int step, _Out_ BoosterHandle *out)',
  // XGB_DLL int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain);
  XGBoosterUpdateOneIter: 'int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain)',
  // XGB_DLL int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle dmats[],
  //                                  const char *evnames[], bst_ulong len, const char **out_result);
  XGBoosterEvalOneIter:
    'int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle *dmats, const char **evnames, bst_ulong len, _Out_ const char **out_result)',
  // XGB_DLL int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle dmat, char const *config,
  //                                         bst_ulong const **out_shape, bst_ulong *out_dim, float const **out_result);
  XGBoosterPredictFromDMatrix:
    'int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle dmat, const char *config, _Out_ void **out_shape, _Out_ bst_ulong *out_dim, _Out_ void **out_result)',
  // XGB_DLL int XGBoosterPredictFromDense(BoosterHandle handle, char const *values, char const *config,
  //                                       DMatrixHandle m, bst_ulong const **out_shape, bst_ulong *out_dim,
  //                                       const float **out_result);
  XGBoosterPredictFromDense:
    'int XGBoosterPredictFromDense(BoosterHandle handle, const char *values, const char *config, DMatrixHandle m, _Out_ void **out_shape, _Out_ bst_ulong *out_dim, _Out_ void **out_result)',
  // XGB_DLL int XGBoosterSaveModelToBuffer(BoosterHandle handle, char const *config, bst_ulong *out_len,
  //                                        char const **out_dptr);
  XGBoosterSaveModelToBuffer:
    'int XGBoosterSaveModelToBuffer(BoosterHandle handle, const char *config, _Out_ bst_ulong *out_len, _Out_ void **out_dptr)',
  // XGB_DLL int XGBoosterLoadModelFromBuffer(BoosterHandle handle, const void *buf, bst_ulong len);
  XGBoosterLoadModelFromBuffer:
    'int XGBoosterLoadModelFromBuffer(BoosterHandle handle, const void *buf, bst_ulong len)',
  // XGB_DLL int XGBoosterSetAttr(BoosterHandle handle, const char* key, const char* value);
  XGBoosterSetAttr: 'int XGBoosterSetAttr(BoosterHandle handle, const char *key, const char *value)',
  // XGB_DLL int XGBoosterGetAttr(BoosterHandle handle, const char* key, const char** out, int *success);
  XGBoosterGetAttr:
    'int XGBoosterGetAttr(BoosterHandle handle, const char *key, _Out_ const char **out, _Out_ int *success)',
};

const INSTALL_HINT =
  'apt-get install libxgboost0 (Debian/Ubuntu; libxgboost-dev adds the libxgboost.so link), or set ' +
  'BANKOPS_XGBOOST_LIB to the path of libxgboost.so (e.g. from `pip install xgboost`: site-packages/xgboost/lib/).';

/** Where the library is looked for when BANKOPS_XGBOOST_LIB is unset, best first. */
export function libraryCandidates(config: Config): string[] {
  const multiarch = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const candidates = [`/usr/lib/${multiarch}/libxgboost.so`, `/usr/lib/${multiarch}/libxgboost.so.0`];
  // Second choice: the wheel MLflow's virtualenv installs (the same C API, possibly a newer version).
  const venvLib = path.join(config.home, 'opt', 'mlflow', 'venv', 'lib');
  try {
    for (const entry of readdirSync(venvLib)
      .filter((name) => name.startsWith('python3'))
      .sort()) {
      candidates.push(path.join(venvLib, entry, 'site-packages', 'xgboost', 'lib', 'libxgboost.so'));
    }
  } catch {
    // No virtualenv yet: nothing to add.
  }
  candidates.push('/usr/local/lib/libxgboost.so', '/usr/lib/libxgboost.so');
  return candidates;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The library path to load: the configured one (which must exist) or the first candidate found. */
export function resolveLibraryPath(config: Config): string {
  if (config.xgboostLib !== undefined) {
    if (!isFile(config.xgboostLib)) {
      throw new BankopsError('PREREQUISITE_MISSING', `XGBoost library not found at ${config.xgboostLib}`, {
        hint: `BANKOPS_XGBOOST_LIB points to a missing file. ${INSTALL_HINT}`,
      });
    }
    return config.xgboostLib;
  }
  const candidates = libraryCandidates(config);
  const found = candidates.find(isFile);
  if (found === undefined) {
    throw new BankopsError('PREREQUISITE_MISSING', 'XGBoost C library (libxgboost.so) not found', {
      hint: INSTALL_HINT,
      details: { searched: candidates },
    });
  }
  return found;
}

const loaded = new Map<string, XgbNative>();

/** Loads (once per path) the library at `libraryPath` and binds every function this package uses. */
export function loadXgboost(libraryPath: string): XgbNative {
  const cached = loaded.get(libraryPath);
  if (cached !== undefined) return cached;
  if (!isFile(libraryPath)) {
    throw new BankopsError('PREREQUISITE_MISSING', `XGBoost library not found at ${libraryPath}`, {
      hint: INSTALL_HINT,
    });
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(libraryPath);
  } catch (error) {
    throw new BankopsError('PREREQUISITE_MISSING', `cannot load the XGBoost library ${libraryPath}`, {
      hint: INSTALL_HINT,
      cause: error,
    });
  }
  const bound: Record<string, unknown> = { libraryPath };
  for (const [name, prototype] of Object.entries(PROTOTYPES)) {
    try {
      bound[name] = lib.func(prototype);
    } catch (error) {
      lib.unload();
      throw new BankopsError('PREREQUISITE_MISSING', `${libraryPath} lacks ${name} (XGBoost ≥ 1.7 needed)`, {
        hint: INSTALL_HINT,
        cause: error,
      });
    }
  }
  // The prototypes above are the single source of truth for these signatures.
  const api = bound as unknown as XgbNative;
  loaded.set(libraryPath, api);
  return api;
}

/** The library named by the configuration (BANKOPS_XGBOOST_LIB or the search above). */
export function xgboostNative(config: Config = getConfig()): XgbNative {
  return loadXgboost(resolveLibraryPath(config));
}

/** XGBoost's message without the native stack trace that follows it. */
function lastError(api: XgbNative): string {
  const raw = api.XGBGetLastError();
  const message = raw.split(/\n\s*Stack trace:/)[0]?.trim() ?? '';
  // Drop the "[12:00:00] ./src/learner.cc:792: " prefix: a timestamp and a source location in XGBoost.
  return message.replace(/^\[\d{2}:\d{2}:\d{2}\]\s+\S+:\d+:\s*/, '') || 'unknown XGBoost error';
}

/** Every call goes through this: a non-zero return becomes XGBOOST_FAILED with XGBoost's own message. */
export function check(api: XgbNative, status: number, what: string): void {
  if (status === 0) return;
  throw new BankopsError('XGBOOST_FAILED', `${what}: ${lastError(api)}`, {
    details: { function: what, status },
  });
}

/** Copies `count` floats out of XGBoost-owned memory (which the next call may overwrite). */
export function copyFloats(pointer: NativePointer | null, count: number): Float32Array {
  if (count === 0) return new Float32Array(0);
  if (pointer === null) throw new BankopsError('XGBOOST_FAILED', 'XGBoost returned a null result buffer');
  return new Float32Array(koffi.view(pointer, count * 4)).slice();
}

/** Copies `length` bytes out of XGBoost-owned memory. */
export function copyBytes(pointer: NativePointer | null, length: number): Buffer {
  if (length === 0) return Buffer.alloc(0);
  if (pointer === null) throw new BankopsError('XGBOOST_FAILED', 'XGBoost returned a null buffer');
  return Buffer.from(new Uint8Array(koffi.view(pointer, length)));
}

/** Reads a `bst_ulong[dims]` shape array owned by XGBoost. */
export function readShape(pointer: NativePointer | null, dims: number): number[] {
  if (dims === 0 || pointer === null) return [];
  return Array.from(new BigUint64Array(koffi.view(pointer, dims * 8)), (value) => Number(value));
}

/**
 * The address of a typed array's first element, for an `__array_interface__`. Reading `.buffer` first
 * makes V8 move a small on-heap typed array to a fixed off-heap store, so the address stays valid.
 */
export function addressOf(data: Float32Array): bigint {
  if (data.buffer.byteLength === 0) throw new BankopsError('DATA_INVALID', 'empty feature array');
  return koffi.address(data);
}
