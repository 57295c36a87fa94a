import path from 'node:path';
import { z } from 'zod';
import { BankopsError } from '../errors/index.js';
import { lakeConfig, lakeEnv } from './lake.js';
import { monitoringConfig, monitoringEnv } from './monitoring.js';
import { rolloutConfig, rolloutEnv } from './rollout.js';
import { servingConfig, servingEnv } from './serving.js';
import { stackConfig, stackEnv } from './stack.js';
import { trainingConfig, trainingEnv } from './training.js';

/**
 * Every setting bankops reads, with its default, one concern per module. This module is the only one that
 * reads `process.env`; the rest of the code receives a typed `Config`, whose type is what the concerns'
 * mappings return.
 */
const schema = z.object({
  ...stackEnv.shape,
  ...lakeEnv.shape,
  ...trainingEnv.shape,
  ...rolloutEnv.shape,
  ...servingEnv.shape,
  ...monitoringEnv.shape,
});

export type RawConfig = z.infer<typeof schema>;

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function toConfig(e: RawConfig) {
  const stack = stackConfig(e, repoRoot);
  return {
    ...stack,
    ...lakeConfig(e),
    ...trainingConfig(e),
    ...rolloutConfig(e),
    serving: servingConfig(e, stack.host),
    monitor: monitoringConfig(e),
    /** The folder of the repository (where package.json lives). */
    repoRoot,
  };
}

export type Config = ReturnType<typeof toConfig>;

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = issue?.path.join('.') ?? 'environment';
    const value = typeof issue?.path[0] === 'string' ? env[issue.path[0]] : undefined;
    throw new BankopsError(
      'CONFIG_INVALID',
      `${variable}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${issue?.message ?? 'invalid'}`,
      { hint: 'Fix or unset the variable; the README lists every setting and its default.' },
    );
  }
  return toConfig(result.data);
}

let cached: Config | undefined;

/** The process's configuration, read and validated once. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** The variables and their defaults, for `bankops config` and the README's reference table. */
export function configReference(): Array<{ name: string; default: string | undefined }> {
  return Object.entries(schema.shape).map(([name, field]) => {
    const parsed = (field as z.ZodType).safeParse(undefined);
    return { name, default: parsed.success && parsed.data !== undefined ? String(parsed.data) : undefined };
  });
}

/** The environment handed on to child processes (services, provisioning tools), plus overrides. */
export function childEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
