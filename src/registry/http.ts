import type { Config } from '../config/index.js';
import { BankopsError, isBankopsError } from '../errors/index.js';
import { withRetry, type RetryOptions } from '../errors/retry.js';
import { logger, type Logger } from '../logging/index.js';

export interface MlflowClientOptions {
  /** Retry policy for idempotent GETs; defaults to the shared RETRY_POLICY. */
  retry?: Omit<RetryOptions, 'retriable'>;
  /** Per request, for JSON calls (ms). */
  timeoutMs?: number;
  /** Per request, for artifact uploads and downloads (ms). */
  artifactTimeoutMs?: number;
  /** How long createModelVersion waits for the version to become READY (ms). */
  registrationTimeoutMs?: number;
  log?: Logger;
}

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the server root, already encoded, e.g. `/api/2.0/mlflow/runs/get`. */
  path: string;
  query?: Query;
  json?: unknown;
  bytes?: Uint8Array;
  contentType?: string;
  timeoutMs?: number;
  /** Idempotent reads are retried with the shared policy; writes are sent once. */
  retry?: boolean;
}

const MLFLOW_HINT =
  'Start it with `bin/bankops stack up --only mlflow`, or point BANKOPS_MLFLOW_URL at a running server.';

/** True when MLflow said the entity does not exist (experiment, run, model, version, artifact). */
export function isNotFound(error: unknown): boolean {
  if (!isBankopsError(error, 'REGISTRY_FAILED')) return false;
  return error.details?.errorCode === 'RESOURCE_DOES_NOT_EXIST' || error.details?.status === 404;
}

/** The MLflow error code of a REGISTRY_FAILED error (e.g. RESOURCE_ALREADY_EXISTS), if any. */
export function mlflowErrorCode(error: unknown): string | undefined {
  if (!isBankopsError(error, 'REGISTRY_FAILED')) return undefined;
  const code = error.details?.errorCode;
  return typeof code === 'string' ? code : undefined;
}

function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** MLflow answers errors as `{error_code, message}`; proxies and unknown routes answer HTML. */
function registryError(status: number, body: string, what: string): BankopsError {
  let errorCode: string | undefined;
  let message: string | undefined;
  try {
    const parsed = JSON.parse(body) as { error_code?: unknown; message?: unknown };
    if (typeof parsed.error_code === 'string') errorCode = parsed.error_code;
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the start of the text below
  }
  message ??= `HTTP ${status}${body ? `: ${body.slice(0, 200).trim()}` : ''}`;
  return new BankopsError('REGISTRY_FAILED', `MLflow ${what}: ${message}`, {
    details: { errorCode, status },
    retriable: status >= 500 || status === 429,
  });
}

/**
 * The transport every part of the client shares: one base URL, timeouts, error mapping and the retry
 * policy for reads. Subclasses add the endpoints.
 */
export class MlflowHttp {
  readonly baseUrl: string;
  protected readonly options: MlflowClientOptions;
  protected readonly log: Logger;

  constructor(config: Config, options: MlflowClientOptions = {}) {
    this.baseUrl = config.urls.mlflow.replace(/\/+$/, '');
    this.options = options;
    this.log = options.log ?? logger('registry');
  }

  /** One HTTP exchange; answers the body bytes of a 2xx response. */
  async raw(request: RawRequest): Promise<Buffer> {
    const send = () => this.once(request);
    if (!request.retry) return send();
    return withRetry(send, {
      ...this.options.retry,
      onRetry: (error, attempt, delayMs) => {
        this.log.warn({ err: error, attempt, delayMs, path: request.path }, 'retrying MLflow request');
        this.options.retry?.onRetry?.(error, attempt, delayMs);
      },
    });
  }

  /** A JSON call to `/api/2.0/mlflow/<endpoint>`; GETs are retried, writes are not unless `retry`. */
  async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    endpoint: string,
    input: { query?: Query; body?: unknown; retry?: boolean } = {},
  ): Promise<T> {
    const bytes = await this.raw({
      method,
      path: `/api/2.0/mlflow/${endpoint}`,
      query: input.query,
      json: input.body,
      retry: input.retry ?? method === 'GET',
    });
    const text = bytes.toString('utf8');
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch (error) {
      throw new BankopsError('REGISTRY_FAILED', `MLflow ${endpoint}: the answer is not JSON`, {
        cause: error,
        details: { body: text.slice(0, 200) },
        retriable: false,
      });
    }
  }

  /**
   * One request; re-sent once when a pooled keep-alive connection turns out to have been closed by the
   * server while idle (the server never read the request, so sending it again is safe for any method).
   * This happens after a long synchronous pause of ours, such as training.
   */
  private async once(request: RawRequest): Promise<Buffer> {
    try {
      return await this.attempt(request);
    } catch (error) {
      if (
        error instanceof BankopsError &&
        error.code === 'SERVICE_UNAVAILABLE' &&
        staleConnection(error.cause)
      ) {
        return this.attempt(request);
      }
      throw error;
    }
  }

  private async attempt(request: RawRequest): Promise<Buffer> {
    const url = `${this.baseUrl}${request.path}${buildQuery(request.query)}`;
    const what = `${request.method} ${request.path.replace(/^\/api\/2\.0\//, '')}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: Uint8Array | string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.bytes !== undefined) {
      headers['content-type'] = request.contentType ?? 'application/octet-stream';
      body = request.bytes;
    }
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const started = performance.now();
    let response: Response;
    let bytes: Buffer;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new BankopsError('TIMEOUT', `MLflow ${what} did not answer within ${timeoutMs} ms`, {
          cause: error,
          hint: 'The server may be overloaded; check `bin/bankops stack status` and its log.',
        });
      }
      throw new BankopsError('SERVICE_UNAVAILABLE', `MLflow unreachable at ${this.baseUrl}`, {
        cause: error,
        hint: MLFLOW_HINT,
        retriable: true,
      });
    }
    this.log.debug(
      { what, status: response.status, ms: Math.round(performance.now() - started), bytes: bytes.length },
      'mlflow call',
    );
    if (!response.ok) throw registryError(response.status, bytes.toString('utf8'), what);
    return bytes;
  }
}

/** A socket the server closed while it sat idle in the pool ("other side closed", reset). */
function staleConnection(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
