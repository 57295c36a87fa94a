import { BankopsError, errorMessage } from '../../src/errors/index.js';
import type { Logger } from '../../src/logging/index.js';
import {
  rolloutOf,
  routingFor,
  type MlflowClient,
  type ModelVersion,
  type Routing,
} from '../../src/registry/index.js';
import type { ServingMetrics } from '../metrics.js';
import type { LoadErrorInfo } from '../schemas/model.js';
import { ModelHandle, type Role } from './handle.js';
import type { BundleLoader } from './loader.js';

export interface ModelManagerOptions {
  mlflow: MlflowClient;
  modelName: string;
  /** The roles this process may serve; the challenger is loaded only while the routing needs it. */
  roles: readonly Role[];
  /** The split when no rollout is collecting labels (serving's own BANKOPS_SERVING_MODE). */
  fallback?: { mode: Routing['mode']; share: number };
  loader: BundleLoader;
  metrics: ServingMetrics;
  log: Logger;
}

export interface RefreshOptions {
  /** Retry a version that was refused before (an explicit reload). */
  force?: boolean;
}

/**
 * Keeps the served model of each role (champion, challenger) in step with the registry aliases. A new
 * version is downloaded, validated and warmed while the old one keeps serving; the swap is a single
 * reference assignment. A version that fails to load is refused (and remembered, so polls do not retry it
 * every time); MLflow being unreachable leaves the cached models serving.
 */
export class ModelManager {
  readonly #current = new Map<Role, ModelHandle>();
  readonly #refused = new Map<Role, string>();
  #aliases: Record<string, string> = {};
  #routing: Routing = { mode: 'champion', share: 0 };
  #lastLoadError: LoadErrorInfo | null = null;
  #lastPollError: string | null = null;
  #lastPollAt: Date | null = null;
  #running: Promise<void> | undefined;
  #again = false;
  #againForce = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly options: ModelManagerOptions) {}

  get modelName(): string {
    return this.options.modelName;
  }

  /** The handle a new request should use (undefined until the first load succeeds). */
  current(role: Role): ModelHandle | undefined {
    return this.#current.get(role);
  }

  /** How requests are split now: a collecting rollout's policy, else the fallback. */
  routing(): Routing {
    return this.#routing;
  }

  get lastLoadError(): LoadErrorInfo | null {
    return this.#lastLoadError;
  }

  get lastPollError(): string | null {
    return this.#lastPollError;
  }

  get lastPollAt(): Date | null {
    return this.#lastPollAt;
  }

  /** Every alias of the model that points at `version`, as last read. */
  aliasesOf(version: string): string[] {
    return Object.entries(this.#aliases)
      .filter(([, v]) => v === version)
      .map(([alias]) => alias)
      .sort();
  }

  /**
   * Re-reads the aliases and loads what changed. Calls while a refresh runs are coalesced into one more
   * refresh after it, so an event arriving mid-load is never lost.
   */
  refresh(options: RefreshOptions = {}): Promise<void> {
    if (this.#running) {
      this.#again = true;
      this.#againForce ||= options.force === true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        let force = options.force === true;
        do {
          this.#again = false;
          await this.#refreshOnce(force);
          force = this.#againForce;
          this.#againForce = false;
        } while (this.#again && !this.#closed);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Polls the aliases every `intervalMs`, as a safety net for missed model.promoted events. */
  startPolling(intervalMs: number): void {
    this.#timer = setInterval(() => void this.refresh(), intervalMs);
    this.#timer.unref();
  }

  async #refreshOnce(force: boolean): Promise<void> {
    const { mlflow, modelName, log, metrics } = this.options;
    const found = new Map<Role, ModelVersion | undefined>();
    try {
      this.#aliases = (await mlflow.getAliases(modelName)) ?? {};
      for (const role of this.options.roles) {
        found.set(role, await mlflow.getVersionByAlias(modelName, role));
      }
      this.#routing = routingFor(
        rolloutOf(found.get('challenger')),
        this.options.fallback ?? {
          mode: this.options.roles.includes('challenger') ? 'ab' : 'champion',
          share: 0,
        },
      );
      // a challenger nothing routes to is not loaded (and a loaded one is unloaded)
      if (this.#routing.mode === 'champion') found.set('challenger', undefined);
      this.#lastPollError = null;
      this.#lastPollAt = new Date();
    } catch (error) {
      this.#lastPollError = errorMessage(error);
      metrics.pollFailures.inc();
      log.warn({ err: error }, 'cannot read the model aliases; the cached models keep serving');
      return;
    }
    for (const role of this.options.roles) {
      if (this.#closed) return;
      await this.#apply(role, found.get(role), force);
    }
  }

  async #apply(role: Role, version: ModelVersion | undefined, force: boolean): Promise<void> {
    const { modelName, log } = this.options;
    const served = this.#current.get(role);
    if (version === undefined) {
      if (served === undefined) return;
      if (role === 'champion') {
        // Serving nothing would be worse than serving the last champion; the operator sees the warning.
        log.warn(
          { model: modelName, version: served.version.version },
          'champion alias is gone; keeping the served model',
        );
        return;
      }
      this.#current.delete(role);
      this.options.metrics.modelInfo.remove({
        model: modelName,
        variant: role,
        model_version: served.version.version,
      });
      served.retire();
      log.info({ role, version: served.version.version }, 'challenger alias removed; challenger unloaded');
      return;
    }
    if (served?.version.version === version.version) return;
    if (!force && this.#refused.get(role) === version.version) return;
    await this.load(role, version);
  }

  /** Loads `version` for `role` and swaps it in; a failure is recorded and the served model stays. */
  async load(role: Role, version: ModelVersion): Promise<boolean> {
    const { modelName, log, metrics, loader } = this.options;
    const started = performance.now();
    let handle: ModelHandle;
    try {
      handle = new ModelHandle(role, version, await loader(version));
    } catch (error) {
      this.#refused.set(role, version.version);
      const message = errorMessage(error);
      this.#lastLoadError = { role, version: version.version, message, at: new Date().toISOString() };
      metrics.loadFailures.inc({ variant: role });
      log.error(
        { role, version: version.version, err: error },
        `model v${version.version} refused; ${this.#current.has(role) ? `v${this.#current.get(role)?.version.version} keeps serving` : 'nothing to serve yet'}`,
      );
      return false;
    }
    if (this.#closed) {
      handle.retire();
      return false;
    }
    const previous = this.#current.get(role);
    // The swap: one assignment. Requests that started earlier hold `previous` until they finish.
    this.#current.set(role, handle);
    this.#refused.delete(role);
    if (this.#lastLoadError?.role === role) this.#lastLoadError = null;
    if (previous !== undefined) {
      metrics.modelInfo.remove({ model: modelName, variant: role, model_version: previous.version.version });
      previous.retire();
    }
    metrics.modelInfo.set({ model: modelName, variant: role, model_version: version.version }, 1);
    metrics.modelLoadedAt.set({ role }, handle.loadedAt.getTime() / 1000);
    metrics.swaps.inc({ role });
    log.info(
      {
        role,
        version: version.version,
        from: previous?.version.version ?? null,
        ms: Math.round(performance.now() - started),
      },
      `model v${version.version} serving as ${role}`,
    );
    return true;
  }

  /** Loads a given version number now (an operator's reload, or a test). */
  async loadVersion(role: Role, version: string): Promise<boolean> {
    const found = await this.options.mlflow.getModelVersion(this.options.modelName, version);
    if (found === undefined)
      throw new BankopsError('NOT_FOUND', `model ${this.modelName} has no version ${version}`);
    return this.load(role, found);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
    for (const handle of this.#current.values()) handle.retire();
    this.#current.clear();
  }
}
