import { createKafka } from '../../../kafka/client.js';
import { createRegistry } from '../../../kafka/registry.js';
import { applyTopics } from '../../../kafka/topics.js';
import { TOPICS } from '../../../../topics/specs.js';
import { println } from '../../output.js';
import type { DemoStep } from '../context.js';

export const topicsStep: DemoStep = {
  name: 'topics',
  title: 'topics and Avro schemas',
  async run({ config }) {
    const applied = await applyTopics(
      config,
      createKafka(config, 'bankops-demo'),
      createRegistry(config),
      TOPICS,
    );
    for (const a of applied)
      println(`   ${a.created ? 'created' : 'exists '} ${a.name} (schema id ${a.schemaId})`);
  },
};
