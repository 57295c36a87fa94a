/**
 * `make bench` checks this first: the benchmarks measure a running stack with a champion to serve.
 * Exits non-zero with what to do when something is missing.
 */
import { getConfig } from '../src/config/index.js';
import { MlflowClient } from '../src/registry/index.js';

const config = getConfig();
const champion = await new MlflowClient(config)
  .getVersionByAlias(config.serving.modelName, 'champion')
  .catch((error: unknown) => {
    process.stderr.write(
      `bankops bench: MLflow at ${config.urls.mlflow} does not answer (${String(error)})\n`,
    );
    process.exit(3);
  });
if (!champion) {
  process.stderr.write(
    `bankops bench: ${config.serving.modelName} has no champion to benchmark; run \`make demo\` first (it leaves the stack running with one)\n`,
  );
  process.exit(3);
}
process.stdout.write(`bench: ${config.serving.modelName} v${champion.version} is the champion\n`);
