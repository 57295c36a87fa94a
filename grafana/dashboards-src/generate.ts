/**
 * Writes grafana/dashboards/*.json from the TypeScript definitions (npm run generate:dashboards).
 * tests/unit/dashboards.test.ts fails when the committed files differ from what this produces.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from './index.js';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dashboards');
mkdirSync(target, { recursive: true });
for (const [file, text] of Object.entries(renderDashboards())) {
  writeFileSync(path.join(target, file), text);
  process.stdout.write(`wrote grafana/dashboards/${file}\n`);
}
