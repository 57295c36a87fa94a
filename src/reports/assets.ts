import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BankopsError } from '../errors/index.js';
import type { Scripts } from './html.js';

const require = createRequire(import.meta.url);

/** The package folder: its exports hide package.json, so the folder is cut out of the main entry's path. */
function packageDir(name: string): string {
  const entry = require.resolve(name);
  const marker = `${path.sep}node_modules${path.sep}${name}${path.sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot locate the ${name} package folder from ${entry}`);
  return entry.slice(0, at + marker.length);
}

async function browserBuild(name: string): Promise<string> {
  try {
    return await readFile(path.join(packageDir(name), 'build', `${name}.min.js`), 'utf8');
  } catch (error) {
    throw new BankopsError('PREREQUISITE_MISSING', `the browser build of ${name} is missing`, {
      cause: error,
      hint: 'Run `npm ci` in the repository (vega, vega-lite and vega-embed are dependencies).',
    });
  }
}

let cached: Promise<Scripts> | undefined;

/** The minified browser builds of vega, vega-lite and vega-embed from node_modules (read once). */
export function chartScripts(): Promise<Scripts> {
  cached ??= Promise.all([browserBuild('vega'), browserBuild('vega-lite'), browserBuild('vega-embed')]).then(
    ([vega, vegaLite, vegaEmbed]) => ({ vega, vegaLite, vegaEmbed }),
    (error: unknown) => {
      cached = undefined; // a later call (after `npm ci`) may succeed
      throw error;
    },
  );
  return cached;
}
