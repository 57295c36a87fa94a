import { setTimeout as sleep } from 'node:timers/promises';
import { BankopsError } from '../errors/index.js';
import { ArtifactsClient } from './artifacts.js';
import type { AliasOperation } from './gates.js';
import { isNotFound, mlflowErrorCode } from './http.js';
import type { ModelVersion, RegisteredModel } from './types.js';

export interface CreateModelVersionInput {
  name: string;
  /** `runs:/<runId>/model` or the run's `mlflow-artifacts:/...` URI; MLflow checks it lies in the run. */
  source: string;
  runId: string;
  tags?: Record<string, string>;
  description?: string;
}

const POLL_MS = 250;

/** A filter literal for MLflow's search grammar; names with both quote kinds cannot be expressed. */
function quote(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new BankopsError('USAGE', `model name ${value} contains both quote characters`, {
    hint: 'Use a registered model name without quotes.',
  });
}

/** The model registry: registered models, versions, aliases and version tags. */
export class ModelsClient extends ArtifactsClient {
  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    try {
      const { registered_model: model } = await this.call<{ registered_model: RegisteredModel }>(
        'GET',
        'registered-models/get',
        { query: { name } },
      );
      return model;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Race-safe like getOrCreateExperiment. The description only applies when this call creates it. */
  async getOrCreateRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
    const existing = await this.getRegisteredModel(name);
    if (existing) return existing;
    try {
      const { registered_model: model } = await this.call<{ registered_model: RegisteredModel }>(
        'POST',
        'registered-models/create',
        { body: { name, ...(description ? { description } : {}) } },
      );
      return model;
    } catch (error) {
      if (mlflowErrorCode(error) !== 'RESOURCE_ALREADY_EXISTS') throw error;
      const raced = await this.getRegisteredModel(name);
      if (raced) return raced;
      throw error;
    }
  }

  /** Registers a version and waits until MLflow reports it READY. */
  async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    const { model_version: created } = await this.call<{ model_version: ModelVersion }>(
      'POST',
      'model-versions/create',
      {
        body: {
          name: input.name,
          source: input.source,
          run_id: input.runId,
          tags: Object.entries(input.tags ?? {}).map(([key, value]) => ({ key, value })),
          ...(input.description ? { description: input.description } : {}),
        },
      },
    );
    const deadline = Date.now() + (this.options.registrationTimeoutMs ?? 120_000);
    let version = created;
    while (version.status === 'PENDING_REGISTRATION') {
      if (Date.now() > deadline) {
        throw new BankopsError(
          'TIMEOUT',
          `model ${input.name} v${version.version} is still pending registration`,
          {
            hint: 'Check the MLflow server log; the version may become READY later.',
          },
        );
      }
      await sleep(POLL_MS);
      version = await this.getModelVersion(input.name, version.version);
    }
    if (version.status !== 'READY') {
      throw new BankopsError(
        'REGISTRY_FAILED',
        `model ${input.name} v${version.version} registration failed: ${version.status_message ?? version.status}`,
        { retriable: false },
      );
    }
    return version;
  }

  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    const { model_version: found } = await this.call<{ model_version: ModelVersion }>(
      'GET',
      'model-versions/get',
      {
        query: { name, version: String(version) },
      },
    );
    return found;
  }

  /** Every version of a model, newest first. */
  async searchModelVersions(name: string): Promise<ModelVersion[]> {
    const versions: ModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
        'GET',
        'model-versions/search',
        { query: { filter: `name = ${quote(name)}`, max_results: 1000, page_token: pageToken } },
      );
      versions.push(...(page.model_versions ?? []));
      pageToken = page.next_page_token;
    } while (pageToken);
    return versions.sort((a, b) => Number(b.version) - Number(a.version));
  }

  async setAlias(name: string, alias: string, version: string | number): Promise<void> {
    await this.call('POST', 'registered-models/alias', { body: { name, alias, version: String(version) } });
  }

  /** Deleting an alias that does not exist succeeds (MLflow treats it as a no-op). */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.call('DELETE', 'registered-models/alias', { body: { name, alias } });
  }

  /** alias → version, read from the registered model (undefined when the model does not exist). */
  async getAliases(name: string): Promise<Record<string, string> | undefined> {
    const model = await this.getRegisteredModel(name);
    if (!model) return undefined;
    return Object.fromEntries((model.aliases ?? []).map((a) => [a.alias, a.version]));
  }

  /**
   * The version an alias points at, or undefined when the alias (or the model) does not exist. MLflow
   * answers a missing alias with INVALID_PARAMETER_VALUE, like other bad input, so the absence is
   * confirmed on the registered model before answering undefined.
   */
  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    try {
      const { model_version: version } = await this.call<{ model_version: ModelVersion }>(
        'GET',
        'registered-models/alias',
        { query: { name, alias } },
      );
      return version;
    } catch (error) {
      const code = mlflowErrorCode(error);
      if (code !== 'INVALID_PARAMETER_VALUE' && code !== 'RESOURCE_DOES_NOT_EXIST') throw error;
      const aliases = await this.getAliases(name);
      if (aliases === undefined || aliases[alias] === undefined) return undefined;
      throw error;
    }
  }

  async setModelVersionTag(
    name: string,
    version: string | number,
    key: string,
    value: string,
  ): Promise<void> {
    await this.call('POST', 'model-versions/set-tag', {
      body: { name, version: String(version), key, value },
    });
  }

  /** Applies a plan from planAliasMove/planRollback in order. */
  async applyAliasPlan(name: string, plan: readonly AliasOperation[]): Promise<void> {
    for (const step of plan) {
      if (step.op === 'set') await this.setAlias(name, step.alias, step.version);
      else await this.deleteAlias(name, step.alias);
    }
  }
}
