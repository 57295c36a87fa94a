/**
 * The one error catalogue. Every error bankops raises on purpose carries a stable code, an exit code for
 * the CLI, an HTTP status for the API and whether retrying can help. Third-party errors are wrapped where
 * they enter our code, keeping the original as `cause`.
 */
export const ERRORS = {
  CONFIG_INVALID: { exit: 2, http: 500, retriable: false },
  USAGE: { exit: 2, http: 400, retriable: false },
  PREREQUISITE_MISSING: { exit: 3, http: 500, retriable: false },
  PORT_IN_USE: { exit: 3, http: 500, retriable: false },
  PROVISION_FAILED: { exit: 4, http: 500, retriable: false },
  SERVICE_START_FAILED: { exit: 4, http: 503, retriable: false },
  SERVICE_UNAVAILABLE: { exit: 5, http: 503, retriable: true },
  DOWNLOAD_FAILED: { exit: 6, http: 502, retriable: true },
  CHECKSUM_MISMATCH: { exit: 6, http: 500, retriable: false },
  ARCHIVE_INVALID: { exit: 6, http: 400, retriable: false },
  DATA_INVALID: { exit: 7, http: 400, retriable: false },
  NOT_FOUND: { exit: 8, http: 404, retriable: false },
  NATIVE_LIBRARY: { exit: 9, http: 500, retriable: false },
  XGBOOST_FAILED: { exit: 9, http: 500, retriable: false },
  LAKE_FAILED: { exit: 10, http: 500, retriable: true },
  REGISTRY_FAILED: { exit: 11, http: 502, retriable: true },
  KAFKA_FAILED: { exit: 12, http: 503, retriable: true },
  TIMEOUT: { exit: 13, http: 504, retriable: true },
  /** HTTP API: no or malformed credentials (401), credentials refused (403). */
  UNAUTHORIZED: { exit: 14, http: 401, retriable: false },
  FORBIDDEN: { exit: 14, http: 403, retriable: false },
  /** HTTP API: request body over the limit (413), or in a media type the route does not read (415). */
  PAYLOAD_TOO_LARGE: { exit: 2, http: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { exit: 2, http: 415, retriable: false },
  INTERNAL: { exit: 1, http: 500, retriable: false },
} as const satisfies Record<string, { exit: number; http: number; retriable: boolean }>;

export type ErrorCode = keyof typeof ERRORS;

export interface BankopsErrorOptions {
  cause?: unknown;
  /** What the user can do about it; printed under the message by the CLI. */
  hint?: string;
  details?: Record<string, unknown>;
  /** Overrides the catalogue's default for this one instance. */
  retriable?: boolean;
}

export class BankopsError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: BankopsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BankopsError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
    this.retriable = options.retriable ?? ERRORS[code].retriable;
  }

  get exitCode(): number {
    return ERRORS[this.code].exit;
  }

  get httpStatus(): number {
    return ERRORS[this.code].http;
  }
}

export function isBankopsError(error: unknown, code?: ErrorCode): error is BankopsError {
  return error instanceof BankopsError && (code === undefined || error.code === code);
}

/**
 * Walks the cause chain: a retry can help only when some error in it says so and none says otherwise (a
 * non-retriable cause wrapped in a retriable error stays non-retriable). An error nothing in the chain
 * vouches for is not retried.
 */
export function isRetriable(error: unknown): boolean {
  let current: unknown = error;
  let vouched = false;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    const says =
      current instanceof BankopsError
        ? current.retriable
        : typeof current === 'object' && 'retriable' in current && typeof current.retriable === 'boolean'
          ? current.retriable
          : undefined;
    if (says === false) return false;
    if (says === true) vouched = true;
    current = (current as { cause?: unknown }).cause;
  }
  return vouched;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
