import { readFile, rename, writeFile } from 'node:fs/promises';
import { BankopsError } from '../../errors/index.js';

const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/**
 * Renders a configuration template of the repository (grafana/...) into a service's data folder,
 * replacing each `${NAME}` with `values[NAME]`. A placeholder without a value is an error rather than
 * an empty string, so a typo in a template fails `stack up` instead of producing a broken config.
 */
export async function renderConfigTemplate(
  template: string,
  target: string,
  values: Record<string, string>,
): Promise<void> {
  let text: string;
  try {
    text = await readFile(template, 'utf8');
  } catch (error) {
    throw new BankopsError('SERVICE_START_FAILED', `cannot read the configuration template ${template}`, {
      cause: error,
      hint: 'The file belongs to the repository; restore it with `git checkout -- <file>`.',
    });
  }
  const missing = new Set<string>();
  const rendered = text.replace(PLACEHOLDER, (match, name: string) => {
    const value = values[name];
    if (value === undefined) missing.add(name);
    return value ?? match;
  });
  if (missing.size > 0) {
    throw new BankopsError(
      'SERVICE_START_FAILED',
      `${template} uses unknown placeholder(s): ${[...missing].map((n) => `\${${n}}`).join(', ')}`,
      { hint: `Known placeholders: ${Object.keys(values).join(', ')}.` },
    );
  }
  // Write then rename: a running service that re-reads its config never sees half a file.
  const partial = `${target}.tmp`;
  await writeFile(partial, rendered);
  await rename(partial, target);
}
