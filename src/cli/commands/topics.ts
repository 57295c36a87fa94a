import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { createKafka } from '../../kafka/client.js';
import { createRegistry } from '../../kafka/registry.js';
import { applyTopics } from '../../kafka/topics.js';
import { TOPICS } from '../../../topics/specs.js';
import { printJson, println } from '../output.js';

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('Kafka topics and their Avro schemas');
  topics
    .command('apply')
    .description('create the topics and register their schemas (BACKWARD compatibility), idempotently')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = getConfig();
      const applied = await applyTopics(
        config,
        createKafka(config, 'bankops-cli'),
        createRegistry(config),
        TOPICS,
      );
      if (opts.json) {
        printJson(applied);
        return;
      }
      for (const t of applied) {
        println(
          `  ${t.created ? 'created ' : 'exists  '} ${t.name.padEnd(28)} partitions ${t.partitions}  ${t.subject} id ${t.schemaId}`,
        );
      }
    });
  topics
    .command('list')
    .description('the declared topics')
    .action(() => {
      for (const t of TOPICS)
        println(`  ${t.name.padEnd(28)} partitions ${t.partitions}  key ${t.key}  ${t.schema}`);
    });
}
