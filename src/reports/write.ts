import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes the page next to its final name and renames it, so a reader never sees half a report. */
export async function writeReport(file: string, html: string): Promise<string> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  await writeFile(partial, html, 'utf8');
  await rename(partial, target);
  return target;
}
