/**
 * For benchmarks/shadow-cost.sh: `set` points the challenger alias at the newest version that is not the
 * champion (and prints it); `clear` removes the alias again.
 */
import { getConfig } from '../src/config/index.js';
import { ALIASES, MlflowClient } from '../src/registry/index.js';

const mlflow = new MlflowClient(getConfig());
const model = getConfig().serving.modelName;
if (process.argv[2] === 'clear') {
  await mlflow.deleteAlias(model, ALIASES.challenger).catch(() => undefined);
} else {
  const champion = (await mlflow.getVersionByAlias(model, ALIASES.champion))?.version;
  const other = (await mlflow.searchModelVersions(model)).find((v) => v.version !== champion);
  if (!other) throw new Error('one more registered version is needed (make demo)');
  await mlflow.setAlias(model, ALIASES.challenger, other.version);
  process.stdout.write(`${other.version}\n`);
}
