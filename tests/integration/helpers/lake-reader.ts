/**
 * Reads one Iceberg table through its own DuckDB and its own attachment of the REST catalog, and prints
 * the rows as JSON: the "second process" of tests/integration/lake-spike.test.ts.
 * Usage: node --import tsx tests/integration/helpers/lake-reader.ts <namespace> <table>
 */
import { getConfig } from '../../../src/config/index.js';
import { quoteIdent, withLake } from '../../../src/lake/duckdb.js';
import { toJson } from './lake-rows.js';

const [namespace, table] = process.argv.slice(2);
if (!namespace || !table) {
  process.stderr.write('usage: lake-reader.ts <namespace> <table>\n');
  process.exit(2);
}

const rows = await withLake(getConfig(), (lake) =>
  lake.all(`SELECT * FROM lake.${quoteIdent(namespace)}.${quoteIdent(table)} ORDER BY id`),
);
process.stdout.write(`${toJson(rows)}\n`);
