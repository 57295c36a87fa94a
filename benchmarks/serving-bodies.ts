/**
 * Writes the request bodies of the serving benchmark into a folder: one raw record, the workshop's
 * dataframe_split, a batch of 1,000 records, the Open Inference Protocol bodies of one and 1,000 records, and the same record encoded with the champion's feature spec
 * (what MLflow's scoring server takes).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { COLUMNS, isIntegerColumn } from '../src/bank/columns.js';
import { parseBankCsv } from '../src/bank/csv.js';
import { getConfig } from '../src/config/index.js';
import { readBundledDataset } from '../src/data/index.js';
import { encodeRows } from '../src/features/index.js';
import { downloadBundle } from '../src/pipeline/bundles.js';
import { MlflowClient, ALIASES } from '../src/registry/index.js';
import { loadBundle } from '../src/training/index.js';

const out = process.argv[2];
if (!out) throw new Error('usage: serving-bodies.ts DIR');
const config = getConfig();
const features = COLUMNS.filter((c) => c !== 'y');
const rows = parseBankCsv((await readBundledDataset()).toString('utf8'));
const raw = rows.slice(0, 1000).map((r) => Object.fromEntries(features.map((c) => [c, r[c]])));
writeFileSync(path.join(out, 'record.json'), JSON.stringify(raw[0]));
writeFileSync(path.join(out, 'batch1000.json'), JSON.stringify({ records: raw }));
// The Open Inference Protocol v2 body: one tensor per column (integers INT64, categories BYTES).
const oip = (records: typeof raw) => ({
  inputs: features.map((c) => ({
    name: c,
    datatype: isIntegerColumn(c) ? 'INT64' : 'BYTES',
    shape: [records.length],
    data: records.map((r) => r[c]),
  })),
});
writeFileSync(path.join(out, 'oip1.json'), JSON.stringify(oip(raw.slice(0, 1))));
writeFileSync(path.join(out, 'oip1000.json'), JSON.stringify(oip(raw)));
writeFileSync(
  path.join(out, 'workshop.json'),
  JSON.stringify({ dataframe_split: { columns: features, data: [features.map((c) => raw[0]?.[c])] } }),
);
const mlflow = new MlflowClient(config);
const version = await mlflow.getVersionByAlias('bank-marketing', ALIASES.champion);
if (!version) throw new Error('no champion: run make demo KEEP=1 first');
const bundle = loadBundle(await downloadBundle(mlflow, version));
const encoded = encodeRows(bundle.spec, [raw[0] ?? {}]);
writeFileSync(
  path.join(out, 'encoded.json'),
  JSON.stringify({
    dataframe_split: { columns: bundle.meta.featureNames, data: [Array.from(encoded.data)] },
  }),
);
bundle.booster.close();
console.log(out);
