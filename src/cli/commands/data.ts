import path from 'node:path';
import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { downloadDataset } from '../../data/index.js';
import { logger } from '../../logging/index.js';
import { loadDataset } from '../../../producers/loader.js';
import { byteProgress, printJson, println } from '../output.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('the UCI Bank Marketing data (seed step 1)');

  data
    .command('download')
    .description(
      'download the UCI archive, extract bank-full.csv and verify its sha256 (bundled copy when offline)',
    )
    .option('--url <url>', 'archive URL (the current nested bank+marketing.zip or the legacy bank.zip)')
    .option('--out <file>', 'where to write bank-full.csv (default: $BANKOPS_HOME/data/bank-full.csv)')
    .option('--json', 'print JSON')
    .action(async (opts: { url?: string; out?: string; json?: boolean }) => {
      const config = getConfig();
      const outFile = path.resolve(opts.out ?? path.join(config.home, 'data', 'bank-full.csv'));
      const bar = byteProgress('download');
      let result;
      try {
        result = await downloadDataset({
          url: opts.url ?? config.dataUrl,
          outFile,
          log: logger('data'),
          onProgress: ({ received, total }) => bar.update(received, total),
        });
      } finally {
        bar.stop();
      }
      if (opts.json) {
        printJson(result);
        return;
      }
      if (result.source === 'bundled')
        println(`network unreachable (${result.reason}); used the bundled copy`);
      println(`${result.path}: ${result.rows} rows, sha256 ${result.sha256} (verified)`);
    });

  data
    .command('load')
    .description('publish the UCI data (bundled, or --file) to bank.customers.v1 as one batch')
    .option('--file <file>', 'a bank-full.csv-format file (";"-separated, quoted header)')
    .option('--force', 'publish even when the lake already holds this file')
    .option('--json', 'print JSON')
    .action(async (opts: { file?: string; force?: boolean; json?: boolean }) => {
      const config = getConfig();
      const bar = byteProgress('published rows');
      let result;
      try {
        result = await loadDataset(config, {
          ...(opts.file ? { file: opts.file } : {}),
          force: opts.force === true,
          onProgress: (sent, total) => bar.update(sent, total),
        });
      } finally {
        bar.stop();
      }
      if (opts.json) printJson(result);
      else println(`published ${result.rows} rows to ${result.topic} as batch ${result.batchId}`);
    });
}
