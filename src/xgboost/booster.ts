import os from 'node:os';
import { BankopsError } from '../errors/index.js';
import type { DMatrix } from './dmatrix.js';
import { addressOf, check, copyBytes, copyFloats, readShape, xgboostNative } from './native.js';
import type { BoosterHandle, NativePointer, XgbNative } from './native.js';

/** XGBoost parameters; an array sets the parameter once per value (e.g. several `eval_metric`s). */
export type BoosterParams = Record<string, string | number | boolean | readonly string[]>;
export type ModelFormat = 'json' | 'ubj';
/** Per evaluated data set name, per metric name, the value. */
export type EvalScores = Record<string, Record<string, number>>;

export interface PredictOptions {
  /** Raw margin (log-odds for binary:logistic) instead of the transformed value. */
  outputMargin?: boolean;
  /** Use trees of rounds [0, iterationEnd) only; 0 (default) means all. */
  iterationEnd?: number;
}

export interface InplacePredictOptions extends PredictOptions {
  /** The value that means "missing" besides NaN; default NaN. */
  missing?: number;
}

export interface Contributions {
  /** Row-major rows × (features + 1); the last column of each row is the bias term. */
  values: Float32Array;
  rows: number;
  cols: number;
}

const TYPE_VALUE = 0;
const TYPE_MARGIN = 1;
const TYPE_CONTRIBUTIONS = 2;
const FLOAT32 = `${os.endianness() === 'LE' ? '<' : '>'}f4`;

function predictConfig(type: number, iterationEnd = 0, missing?: number): string {
  if (!Number.isInteger(iterationEnd) || iterationEnd < 0) {
    throw new BankopsError('USAGE', `iterationEnd must be a non-negative integer (got ${iterationEnd})`);
  }
  const base = `"type":${type},"training":false,"iteration_begin":0,"iteration_end":${iterationEnd},"strict_shape":false`;
  if (missing === undefined) return `{${base}}`;
  // JSON has no NaN, but XGBoost's reader accepts the bare word (as Python's json.dumps writes it).
  // cache_id 0 is required by 1.7's in-place prediction (it has no prediction cache there).
  const missingText = Number.isNaN(missing) ? 'NaN' : JSON.stringify(missing);
  if (missingText === 'null')
    throw new BankopsError('USAGE', `missing must be NaN or finite (got ${missing})`);
  return `{${base},"cache_id":0,"missing":${missingText}}`;
}

/** XGBoost's "[3]\tvalid-logloss:0.2\tvalid-auc:0.9" → { valid: { logloss: 0.2, auc: 0.9 } }. */
export function parseEvalLine(line: string, names: readonly string[]): EvalScores {
  const scores: EvalScores = Object.fromEntries(names.map((name) => [name, {}]));
  for (const field of line.trim().split('\t').slice(1)) {
    const colon = field.lastIndexOf(':');
    const key = field.slice(0, colon);
    // Match the known names, longest first, because metric names may contain '-' (e.g. "ndcg@3-").
    const name = [...names].sort((a, b) => b.length - a.length).find((n) => key.startsWith(`${n}-`));
    if (colon < 0 || name === undefined) continue;
    const target = scores[name];
    if (target !== undefined) target[key.slice(name.length + 1)] = Number(field.slice(colon + 1));
  }
  return scores;
}

/**
 * A gradient-boosted model. A failed configuration or training call leaves XGBoost's learner in a state
 * where the next call crashes the process (observed with 1.7.4), so such a failure frees the booster
 * and later calls throw. `close()` frees it (idempotent); use after close throws.
 */
export class Booster {
  readonly native: XgbNative;
  #handle: BoosterHandle | undefined;
  #brokenBy: string | undefined;
  #numFeatures = 0;

  private constructor(native: XgbNative, handle: BoosterHandle) {
    this.native = native;
    this.#handle = handle;
  }

  /**
   * A new booster for training on `cache` (the matrices it will see: train and validation), with
   * `params` checked at once so that bad parameters fail here with XGBoost's message.
   */
  static create(options: { params: BoosterParams; cache: DMatrix[]; native?: XgbNative }): Booster {
    const native = options.native ?? options.cache[0]?.native ?? xgboostNative();
    const booster = Booster.#allocate(native, options.cache);
    booster.#guard(() => {
      booster.setParams(options.params);
      if (options.cache.length > 0) booster.#configure();
    });
    return booster;
  }

  /**
   * A booster from a model saved by `saveModel` (JSON or UBJ, detected by XGBoost). `params` apply on
   * top, e.g. `{ nthread: 1 }` for single-row serving, where OpenMP threads cost more than they bring.
   */
  static load(model: Uint8Array, options: { params?: BoosterParams; native?: XgbNative } = {}): Booster {
    if (model.length === 0) throw new BankopsError('DATA_INVALID', 'empty model buffer');
    const native = options.native ?? xgboostNative();
    const booster = Booster.#allocate(native, []);
    booster.#guard(() =>
      check(native, native.XGBoosterLoadModelFromBuffer(booster.handle, model, model.length), 'load model'),
    );
    if (options.params !== undefined) booster.setParams(options.params);
    return booster;
  }

  static #allocate(native: XgbNative, cache: DMatrix[]): Booster {
    const out: [BoosterHandle | null] = [null];
    const handles = cache.map((matrix) => matrix.handle);
    check(native, native.XGBoosterCreate(handles, handles.length, out), 'XGBoosterCreate');
    if (out[0] === null) throw new BankopsError('XGBOOST_FAILED', 'XGBoosterCreate returned no handle');
    return new Booster(native, out[0]);
  }

  get handle(): BoosterHandle {
    if (this.#handle === undefined) {
      throw new BankopsError('XGBOOST_FAILED', `Booster used after ${this.#brokenBy ?? 'close()'}`, {
        hint: this.#brokenBy === undefined ? undefined : 'Create a new booster with valid parameters.',
      });
    }
    return this.#handle;
  }

  get closed(): boolean {
    return this.#handle === undefined;
  }

  /** Runs a state-changing call; on failure the learner is unusable, so free it now. */
  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      this.#brokenBy = `an earlier failure (${error instanceof Error ? error.message : String(error)})`;
      this.#release();
      throw error;
    }
  }

  /** XGBoost configures lazily; saving the JSON config forces it, validating the parameters. */
  #configure(): void {
    const length: [number] = [0];
    const text: [string | null] = [null];
    check(this.native, this.native.XGBoosterSaveJsonConfig(this.handle, length, text), 'invalid parameters');
  }

  setParams(params: BoosterParams): void {
    this.#guard(() => {
      for (const [name, value] of Object.entries(params)) {
        const values = Array.isArray(value) ? value : [value];
        for (const item of values) {
          check(this.native, this.native.XGBoosterSetParam(this.handle, name, String(item)), `set ${name}`);
        }
      }
    });
  }

  updateOneIter(iteration: number, dtrain: DMatrix): void {
    this.#guard(() =>
      check(this.native, this.native.XGBoosterUpdateOneIter(this.handle, iteration, dtrain.handle), 'update'),
    );
  }

  /** Evaluates the configured metrics (`eval_metric`) on each named matrix after round `iteration`. */
  evalOneIter(iteration: number, sets: ReadonlyArray<readonly [DMatrix, string]>): EvalScores {
    const names = sets.map(([, name]) => name);
    const out: [string | null] = [null];
    this.#guard(() =>
      check(
        this.native,
        this.native.XGBoosterEvalOneIter(
          this.handle,
          iteration,
          sets.map(([matrix]) => matrix.handle),
          names,
          sets.length,
          out,
        ),
        'evaluate',
      ),
    );
    return parseEvalLine(out[0] ?? '', names);
  }

  /** Predictions for every row of `matrix` (one value per row for binary and regression objectives). */
  predict(matrix: DMatrix, options: PredictOptions = {}): Float32Array {
    const type = options.outputMargin === true ? TYPE_MARGIN : TYPE_VALUE;
    return this.#predictMatrix(matrix, predictConfig(type, options.iterationEnd)).values;
  }

  /** SHAP values per feature plus a bias column; each row sums to the margin prediction. */
  contributions(matrix: DMatrix, options: Pick<PredictOptions, 'iterationEnd'> = {}): Contributions {
    const { values, shape } = this.#predictMatrix(
      matrix,
      predictConfig(TYPE_CONTRIBUTIONS, options.iterationEnd),
    );
    const rows = shape[0] ?? 0;
    return { values, rows, cols: rows === 0 ? 0 : values.length / rows };
  }

  #predictMatrix(matrix: DMatrix, config: string): { values: Float32Array; shape: number[] } {
    const shape: [NativePointer | null] = [null];
    const dims: [number] = [0];
    const result: [NativePointer | null] = [null];
    check(
      this.native,
      this.native.XGBoosterPredictFromDMatrix(this.handle, matrix.handle, config, shape, dims, result),
      'predict',
    );
    const dimensions = readShape(shape[0], Number(dims[0]));
    const count = dimensions.reduce((a, b) => a * b, 1);
    return { values: copyFloats(result[0], count), shape: dimensions };
  }

  /**
   * In-place prediction straight from a row-major Float32Array (rows × numFeatures): XGBoost reads the
   * array's memory through an `__array_interface__`, without building a DMatrix or copying rows.
   */
  inplacePredict(data: Float32Array, rows: number, options: InplacePredictOptions = {}): Float32Array {
    const cols = this.numFeatures;
    if (!Number.isInteger(rows) || rows <= 0 || data.length !== rows * cols) {
      throw new BankopsError(
        'DATA_INVALID',
        `expected ${rows}×${cols} = ${rows * cols} values, got ${data.length}`,
        {
          hint: `The model was trained on ${cols} features.`,
        },
      );
    }
    const type = options.outputMargin === true ? TYPE_MARGIN : TYPE_VALUE;
    const config = predictConfig(type, options.iterationEnd, options.missing ?? NaN);
    const shape: [NativePointer | null] = [null];
    const dims: [number] = [0];
    const result: [NativePointer | null] = [null];
    const pointer = addressOf(data);
    const arrayInterface = `{"data":[${pointer},true],"shape":[${rows},${cols}],"typestr":"${FLOAT32}","version":3}`;
    // `data` stays referenced until this synchronous call returns, so the address stays valid.
    check(
      this.native,
      this.native.XGBoosterPredictFromDense(this.handle, arrayInterface, config, null, shape, dims, result),
      'in-place predict',
    );
    const count = readShape(shape[0], Number(dims[0])).reduce((a, b) => a * b, 1);
    return copyFloats(result[0], count);
  }

  /** In-place prediction for one row (numFeatures values). */
  predictRow(row: Float32Array, options: InplacePredictOptions = {}): number {
    const value = this.inplacePredict(row, 1, options)[0];
    if (value === undefined) throw new BankopsError('XGBOOST_FAILED', 'in-place predict returned no value');
    return value;
  }

  /** The model (trees and parameters, not training state) as JSON or Universal Binary JSON. */
  saveModel(format: ModelFormat = 'ubj'): Buffer {
    const length: [number] = [0];
    const data: [NativePointer | null] = [null];
    check(
      this.native,
      this.native.XGBoosterSaveModelToBuffer(this.handle, JSON.stringify({ format }), length, data),
      'save model',
    );
    return copyBytes(data[0], Number(length[0]));
  }

  /** Number of features the model expects (fixed once it has seen data). */
  get numFeatures(): number {
    if (this.#numFeatures > 0) return this.#numFeatures;
    const out: [number] = [0];
    check(this.native, this.native.XGBoosterGetNumFeature(this.handle, out), 'XGBoosterGetNumFeature');
    this.#numFeatures = Number(out[0]);
    return this.#numFeatures;
  }

  boostedRounds(): number {
    const out: [number] = [0];
    check(this.native, this.native.XGBoosterBoostedRounds(this.handle, out), 'XGBoosterBoostedRounds');
    return out[0];
  }

  /** A new booster holding the trees of rounds [begin, end). */
  slice(begin: number, end: number): Booster {
    const out: [BoosterHandle | null] = [null];
    check(this.native, this.native.XGBoosterSlice(this.handle, begin, end, 1, out), 'slice');
    if (out[0] === null) throw new BankopsError('XGBOOST_FAILED', 'XGBoosterSlice returned no handle');
    return new Booster(this.native, out[0]);
  }

  /** A string attribute saved with the model; undefined deletes it. */
  setAttr(key: string, value: string | undefined): void {
    check(this.native, this.native.XGBoosterSetAttr(this.handle, key, value ?? null), `set attribute ${key}`);
  }

  getAttr(key: string): string | undefined {
    const out: [string | null] = [null];
    const success: [number] = [0];
    check(this.native, this.native.XGBoosterGetAttr(this.handle, key, out, success), `get attribute ${key}`);
    return success[0] === 1 && out[0] !== null ? out[0] : undefined;
  }

  #release(): void {
    const handle = this.#handle;
    if (handle === undefined) return;
    // Forget the handle before freeing: it must never reach XGBoost again, even if the free fails.
    this.#handle = undefined;
    check(this.native, this.native.XGBoosterFree(handle), 'XGBoosterFree');
  }

  close(): void {
    this.#release();
  }

  /** Alias of close(), mirroring DMatrix.free(). */
  free(): void {
    this.#release();
  }
}

/** Runs `fn` with the booster `create()` makes and closes it afterwards, whatever happens. */
export async function withBooster<T>(
  create: () => Booster,
  fn: (booster: Booster) => T | Promise<T>,
): Promise<T> {
  const booster = create();
  try {
    return await fn(booster);
  } finally {
    booster.close();
  }
}

/** The library's version, e.g. "1.7.4". */
export function xgboostVersion(native: XgbNative = xgboostNative()): string {
  const major: [number] = [0];
  const minor: [number] = [0];
  const patch: [number] = [0];
  native.XGBoostVersion(major, minor, patch);
  return `${major[0]}.${minor[0]}.${patch[0]}`;
}
