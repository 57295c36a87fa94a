import { isRetriable } from './index.js';

/**
 * The one retry policy: exponential backoff with jitter, bounded. kafkajs gets the same numbers, so a
 * broker hiccup and a catalog hiccup are waited out the same way.
 */
export const RETRY_POLICY = {
  initialRetryTimeMs: 300,
  multiplier: 2,
  maxRetryTimeMs: 30_000,
  retries: 8,
  /** ± this share of each delay is random, so that many clients do not retry in step. */
  jitter: 0.2,
} as const;

export interface RetryOptions {
  retries?: number;
  initialRetryTimeMs?: number;
  maxRetryTimeMs?: number;
  /** Decides whether an error is worth another try; by default the cause chain's `retriable` flag. */
  retriable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

export function backoffDelay(attempt: number, options: RetryOptions = {}, random = Math.random): number {
  const initial = options.initialRetryTimeMs ?? RETRY_POLICY.initialRetryTimeMs;
  const max = options.maxRetryTimeMs ?? RETRY_POLICY.maxRetryTimeMs;
  const base = Math.min(max, initial * RETRY_POLICY.multiplier ** attempt);
  const spread = base * RETRY_POLICY.jitter;
  return Math.round(Math.min(max, base - spread + random() * 2 * spread));
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? RETRY_POLICY.retries;
  const retriable = options.retriable ?? isRetriable;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !retriable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt + 1, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
