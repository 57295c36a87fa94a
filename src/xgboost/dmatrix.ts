import { BankopsError } from '../errors/index.js';
import { check, xgboostNative } from './native.js';
import type { DMatrixHandle, XgbNative } from './native.js';

export interface DMatrixOptions {
  /** Row-major feature values, rows × cols; NaN (or `missing`) marks a missing value. */
  data: Float32Array;
  rows: number;
  cols: number;
  /** One label per row (0/1 for binary:logistic). */
  labels?: Float32Array;
  /** One weight per row. */
  weights?: Float32Array;
  /** The value that means "missing" besides NaN; default NaN. */
  missing?: number;
  /** The library to use; default: the configured one. */
  native?: XgbNative;
}

function checkShape(options: DMatrixOptions): void {
  const { data, rows, cols } = options;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0) {
    throw new BankopsError(
      'DATA_INVALID',
      `DMatrix needs positive integer rows and cols (got ${rows}×${cols})`,
    );
  }
  if (data.length !== rows * cols) {
    throw new BankopsError(
      'DATA_INVALID',
      `DMatrix data has ${data.length} values, expected ${rows}×${cols}`,
    );
  }
  for (const [name, info] of [
    ['labels', options.labels],
    ['weights', options.weights],
  ] as const) {
    if (info !== undefined && info.length !== rows) {
      throw new BankopsError('DATA_INVALID', `DMatrix ${name} has ${info.length} values, expected ${rows}`);
    }
  }
}

/**
 * XGBoost's data matrix. XGBoost copies the values, so the caller's arrays may change afterwards. The
 * native handle is released by `free()` (idempotent); any use after that throws instead of touching freed
 * memory. Prefer `withDMatrix`, which frees in `finally`.
 */
export class DMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly native: XgbNative;
  #handle: DMatrixHandle | undefined;

  private constructor(native: XgbNative, handle: DMatrixHandle, rows: number, cols: number) {
    this.native = native;
    this.#handle = handle;
    this.rows = rows;
    this.cols = cols;
  }

  static fromDense(options: DMatrixOptions): DMatrix {
    checkShape(options);
    const native = options.native ?? xgboostNative();
    const out: [DMatrixHandle | null] = [null];
    check(
      native,
      native.XGDMatrixCreateFromMat(options.data, options.rows, options.cols, options.missing ?? NaN, out),
      'XGDMatrixCreateFromMat',
    );
    if (out[0] === null)
      throw new BankopsError('XGBOOST_FAILED', 'XGDMatrixCreateFromMat returned no handle');
    const matrix = new DMatrix(native, out[0], options.rows, options.cols);
    try {
      if (options.labels !== undefined) matrix.setFloatInfo('label', options.labels);
      if (options.weights !== undefined) matrix.setFloatInfo('weight', options.weights);
    } catch (error) {
      matrix.free();
      throw error;
    }
    return matrix;
  }

  /** The live handle; throws once freed so that freed memory is never handed to XGBoost again. */
  get handle(): DMatrixHandle {
    if (this.#handle === undefined) {
      throw new BankopsError('XGBOOST_FAILED', 'DMatrix used after free()', {
        hint: 'Keep the DMatrix alive (inside withDMatrix) while a booster uses it.',
      });
    }
    return this.#handle;
  }

  get freed(): boolean {
    return this.#handle === undefined;
  }

  setFloatInfo(field: 'label' | 'weight' | 'base_margin', values: Float32Array): void {
    if (values.length !== this.rows) {
      throw new BankopsError('DATA_INVALID', `${field} has ${values.length} values, expected ${this.rows}`);
    }
    check(
      this.native,
      this.native.XGDMatrixSetFloatInfo(this.handle, field, values, values.length),
      'XGDMatrixSetFloatInfo',
    );
  }

  /** Rows and columns as XGBoost sees them. */
  shape(): { rows: number; cols: number } {
    const rows: [number] = [0];
    const cols: [number] = [0];
    check(this.native, this.native.XGDMatrixNumRow(this.handle, rows), 'XGDMatrixNumRow');
    check(this.native, this.native.XGDMatrixNumCol(this.handle, cols), 'XGDMatrixNumCol');
    return { rows: Number(rows[0]), cols: Number(cols[0]) };
  }

  free(): void {
    const handle = this.#handle;
    if (handle === undefined) return;
    // Forget the handle first: even if XGDMatrixFree reports an error, the handle must never be reused.
    this.#handle = undefined;
    check(this.native, this.native.XGDMatrixFree(handle), 'XGDMatrixFree');
  }
}

/** Creates a DMatrix, runs `fn` with it and frees it afterwards, whatever happens. */
export async function withDMatrix<T>(
  options: DMatrixOptions,
  fn: (matrix: DMatrix) => T | Promise<T>,
): Promise<T> {
  const matrix = DMatrix.fromDense(options);
  try {
    return await fn(matrix);
  } finally {
    matrix.free();
  }
}

/** The synchronous variant of `withDMatrix`, for hot paths that must not yield. */
export function withDMatrixSync<T>(options: DMatrixOptions, fn: (matrix: DMatrix) => T): T {
  const matrix = DMatrix.fromDense(options);
  try {
    return fn(matrix);
  } finally {
    matrix.free();
  }
}
