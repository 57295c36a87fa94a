import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import { scrapeTargetsDir } from '../home/paths.js';

/**
 * Prometheus finds bankops components (serving, consumers, ...) through file-based service discovery:
 * each component writes `<name>.json` into the targets folder, which the local Prometheus re-reads every
 * few seconds (grafana/prometheus/prometheus.yml, job `bankops`).
 */

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TARGET = /^[^\s/:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/;

export { scrapeTargetsDir };

function targetFile(config: Config, name: string): string {
  if (!NAME.test(name)) {
    throw new BankopsError('USAGE', `invalid scrape target name ${JSON.stringify(name)}`, {
      hint: 'Use letters, digits, ".", "_" and "-" (for example "serving" or "consumer-scoring").',
    });
  }
  return path.join(scrapeTargetsDir(config), `${name}.json`);
}

/**
 * Registers (or replaces) the scrape targets `host:port` of one component. The `job` label defaults to
 * `name`; `labels` are attached to every series scraped from these targets. Returns the file written.
 */
export async function registerScrapeTarget(
  config: Config,
  name: string,
  targets: string[],
  labels: Record<string, string> = {},
): Promise<string> {
  const file = targetFile(config, name);
  if (targets.length === 0) {
    throw new BankopsError('USAGE', `scrape target ${name}: no targets given`, {
      hint: 'Pass at least one "host:port"; use unregisterScrapeTarget to remove a component.',
    });
  }
  for (const target of targets) {
    if (!TARGET.test(target)) {
      throw new BankopsError('USAGE', `scrape target ${name}: ${JSON.stringify(target)} is not "host:port"`, {
        hint: 'Give the address without scheme or path, e.g. "127.0.0.1:9100"; the path is always /metrics.',
      });
    }
  }
  for (const label of Object.keys(labels)) {
    if (!LABEL.test(label)) {
      throw new BankopsError('USAGE', `scrape target ${name}: invalid label name ${JSON.stringify(label)}`, {
        hint: 'Prometheus label names match [a-zA-Z_][a-zA-Z0-9_]*.',
      });
    }
  }
  await mkdir(path.dirname(file), { recursive: true });
  const body = JSON.stringify([{ targets, labels: { job: name, ...labels } }], null, 2);
  // Prometheus watches the folder: write under a name its *.json glob ignores, then rename atomically.
  const partial = `${file}.tmp`;
  await writeFile(partial, `${body}\n`);
  await rename(partial, file);
  return file;
}

/** Removes a component's targets; Prometheus stops scraping it on its next refresh. */
export async function unregisterScrapeTarget(config: Config, name: string): Promise<void> {
  await rm(targetFile(config, name), { force: true });
}

/** The names of the registered components. */
export async function listScrapeTargets(config: Config): Promise<string[]> {
  try {
    const entries = await readdir(scrapeTargetsDir(config));
    return entries.filter((entry) => entry.endsWith('.json')).map((entry) => entry.slice(0, -'.json'.length));
  } catch {
    return [];
  }
}
