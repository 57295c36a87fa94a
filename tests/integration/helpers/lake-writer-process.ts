/**
 * Runs a lake writer in its own process (so a test can kill -9 it). Arguments: a JSON object with
 * topic, namespace, groupId, maxBatchRows, maxBatchMs. Prints "ready" once consuming and "flushed <n>"
 * after each committed micro-batch.
 */
import { startLakeWriter } from '../../../consumers/lake-writer/main.js';
import { getConfig } from '../../../src/config/index.js';
import { customersSpec } from './isolated-lake.js';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  topic: string;
  namespace: string;
  groupId: string;
  maxBatchRows: number;
  maxBatchMs: number;
  eventsTopic: string;
};
const running = await startLakeWriter(getConfig(), {
  tables: [customersSpec(args.topic, args.namespace)],
  groupId: args.groupId,
  maxBatchRows: args.maxBatchRows,
  maxBatchMs: args.maxBatchMs,
  eventsTopic: args.eventsTopic,
  instance: `test-${args.namespace}`,
});
process.stdout.write('ready\n');
// every committed micro-batch, as it happens: a test can kill -9 right after the first one
let told = 0;
setInterval(() => {
  while (told < running.writer.flushes.length) {
    told += 1;
    process.stdout.write(`flushed ${told}\n`);
  }
}, 2).unref();
const stop = () => {
  void running.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
