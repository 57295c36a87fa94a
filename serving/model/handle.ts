import type { ModelVersion } from '../../src/registry/index.js';
import type { LoadedBundle } from '../../src/training/index.js';

export type Role = 'champion' | 'challenger';

/**
 * A loaded model version with a reference count. Requests `acquire()` the current handle when they start
 * and `release()` it when they end; a swap only `retire()`s the old handle, and its native booster is
 * freed once the last request that holds it has finished, never under a request's feet.
 */
export class ModelHandle {
  readonly loadedAt = new Date();
  #refs = 0;
  #retired = false;

  constructor(
    readonly role: Role,
    readonly version: ModelVersion,
    readonly bundle: LoadedBundle,
  ) {}

  get threshold(): number {
    return this.bundle.meta.threshold.threshold;
  }

  get refs(): number {
    return this.#refs;
  }

  get freed(): boolean {
    return this.bundle.booster.closed;
  }

  acquire(): this {
    this.#refs += 1;
    return this;
  }

  release(): void {
    this.#refs -= 1;
    this.#freeIfUnused();
  }

  retire(): void {
    this.#retired = true;
    this.#freeIfUnused();
  }

  #freeIfUnused(): void {
    if (this.#retired && this.#refs <= 0) this.bundle.booster.close();
  }
}

/** The models one request uses, released together when the response has been sent. */
export class Lease {
  readonly #handles: ModelHandle[] = [];
  #released = false;

  hold(handle: ModelHandle | undefined): ModelHandle | undefined {
    if (handle === undefined) return undefined;
    this.#handles.push(handle.acquire());
    return handle;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const handle of this.#handles) handle.release();
  }
}
