import { BankopsError } from '../../src/errors/index.js';

interface Pending<T> {
  items: readonly T[];
  resolve(): void;
  reject(error: unknown): void;
}

export interface BatcherOptions<T> {
  /** Sends one batch; resolves when the broker acknowledged all of it. */
  send(items: T[]): Promise<void>;
  /** While sends are in flight, how long the first queued item waits for company before its batch goes. */
  lingerMs: number;
  /** A batch goes at once when it holds this many items. */
  maxItems: number;
  /** Batches in flight at once (the idempotent producer keeps order with up to 5). */
  maxInFlight: number;
}

/**
 * Groups many small `add()` calls into few sends, so that throughput holds while every caller still
 * waits for the acknowledgement of its own items. One caller's items always travel in the same send.
 */
export class Batcher<T> {
  #queue: Pending<T>[] = [];
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BatcherOptions<T>) {}

  add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      this.#queued += items.length;
      if (this.#queued >= this.options.maxItems) this.#flush();
      // Idle: go at the end of this turn of the event loop (callers of the same turn share the send).
      // Busy: linger a little, so that the sends in flight are followed by a bigger, cheaper one.
      else if (this.#inFlight.size === 0) this.#immediate ??= setImmediate(() => this.#flush());
      else this.#timer ??= setTimeout(() => this.#flush(), this.options.lingerMs);
    });
  }

  get pending(): number {
    return this.#queued + this.#inFlight.size;
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    if (this.#queue.length === 0) return;
    if (this.#inFlight.size >= this.options.maxInFlight) {
      // Keep collecting: the batch goes when a send finishes, bigger and therefore cheaper.
      return;
    }
    const batch = this.#queue;
    this.#queue = [];
    this.#queued = 0;
    const sent = this.options
      .send(batch.flatMap((p) => p.items))
      .then(
        () => batch.forEach((p) => p.resolve()),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      )
      .finally(() => {
        this.#inFlight.delete(sent);
        if (this.#queue.length > 0) this.#flush();
      });
    this.#inFlight.add(sent);
  }

  /** Sends what is queued and waits until every send has finished. */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#inFlight.size > 0) {
      this.#flush();
      await Promise.allSettled([...this.#inFlight]);
    }
  }
}

/** `promise`, or a 503 when it takes longer than `ms` (the send itself continues in the background). */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BankopsError('SERVICE_UNAVAILABLE', `${what} was not acknowledged within ${ms} ms`, {
            hint: 'Kafka may be down; GET /ready says why. The request can be retried.',
          }),
        ),
      ms,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
