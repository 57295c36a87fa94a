import type { KafkaClient } from '../../src/kafka/client.js';
import { Gauge, type Registry } from 'prom-client';
import { groupLag } from '../../src/kafka/lag.js';

export interface LagGroup {
  /** The `group` label (the monitor reports its per-start group under its base name). */
  label: string;
  groupId: string;
  topics: string[];
}

/** bankops_consumer_lag{group,topic}: messages a consumer group has not yet committed. */
export class LagExporter {
  private readonly gauge: Gauge<string>;

  constructor(
    private readonly kafka: KafkaClient,
    registry: Registry,
    private readonly groups: () => LagGroup[],
  ) {
    this.gauge = new Gauge({
      name: 'bankops_consumer_lag',
      help: 'Messages of a topic not yet committed by a consumer group',
      labelNames: ['group', 'topic'],
      registers: [registry],
    });
  }

  async update(): Promise<void> {
    const fresh: Array<[Record<string, string>, number]> = [];
    for (const group of this.groups()) {
      for (const lag of await groupLag(this.kafka, group.groupId, group.topics)) {
        fresh.push([{ group: group.label, topic: lag.topic }, lag.lag]);
      }
    }
    this.gauge.reset();
    for (const [labels, value] of fresh) this.gauge.set(labels, value);
  }
}
