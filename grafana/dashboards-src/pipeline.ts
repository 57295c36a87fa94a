import { DashboardBuilder } from './builder.js';
import type { JsonObject } from './builder.js';
import { withPromotions } from './common.js';

/**
 * Data flow and lifecycle: batches, rows landed in the lake, retrainings, promotions and consumer lag.
 * Lifecycle counts read bankops_pipeline_events_total{type} (one increment per pipeline event of that
 * type, e.g. batch.published, model.trained, model.promoted) and lag bankops_consumer_lag{group,topic}.
 */
export function pipeline(): JsonObject {
  const b = new DashboardBuilder('bankops-pipeline', 'bankops · Pipeline', {
    description:
      'Batches, rows landed in Iceberg, retrainings, promotions, consumer lag and the monitoring join.',
    tags: ['bankops', 'pipeline'],
    from: 'now-24h',
  });
  withPromotions(b);

  b.row('Last 24 hours')
    .stat({
      title: 'Batches published',
      targets: [{ expr: 'sum(increase(bankops_pipeline_events_total{type="batch.published"}[24h]))' }],
      decimals: 0,
    })
    .stat({
      title: 'Rows landed',
      targets: [{ expr: 'sum(increase(bankops_lake_rows_written_total[24h]))' }],
      unit: 'short',
      decimals: 0,
    })
    .stat({
      title: 'Models trained',
      targets: [{ expr: 'sum(increase(bankops_pipeline_events_total{type="model.trained"}[24h]))' }],
      decimals: 0,
    })
    .stat({
      title: 'Promotions',
      targets: [{ expr: 'sum(increase(bankops_pipeline_events_total{type="model.promoted"}[24h]))' }],
      decimals: 0,
    });

  b.row('Lake')
    .timeseries({
      title: 'Rows landed per second by table',
      targets: [
        {
          expr: 'sum by (table) (rate(bankops_lake_rows_written_total[$__rate_interval]))',
          legend: '{{table}}',
        },
      ],
      unit: 'short',
      stacked: true,
    })
    .timeseries({
      title: 'Iceberg commits and dead letters (per 5 min)',
      targets: [
        { expr: 'sum by (table) (increase(bankops_lake_commits_total[5m]))', legend: 'commits {{table}}' },
        {
          expr: 'sum by (topic, code) (increase(bankops_lake_dead_letters_total[5m]))',
          legend: 'dead letters {{topic}} {{code}}',
        },
      ],
      unit: 'short',
      min: 0,
    });

  b.row('Lifecycle')
    .timeseries({
      title: 'Pipeline events (per hour)',
      targets: [{ expr: 'sum by (type) (increase(bankops_pipeline_events_total[1h]))', legend: '{{type}}' }],
      unit: 'short',
      min: 0,
    })
    .timeseries({
      title: 'Retrainings and promotions (per hour)',
      targets: [
        {
          expr: 'sum by (type) (increase(bankops_pipeline_events_total{type=~"retrain.requested|retrain.failed|model.trained|model.promoted|model.rejected"}[1h]))',
          legend: '{{type}}',
        },
      ],
      unit: 'short',
      min: 0,
    });

  b.row('Consumers')
    .timeseries({
      title: 'Consumer lag (messages)',
      targets: [{ expr: 'max by (group, topic) (bankops_consumer_lag)', legend: '{{group}} {{topic}}' }],
      unit: 'short',
      min: 0,
      thresholds: [
        { value: null, color: 'green' },
        { value: 10000, color: 'red' },
      ],
      showThresholds: true,
    })
    .timeseries({
      title: 'Monitoring: buffered messages and join state',
      targets: [
        { expr: 'sum(bankops_lake_buffered_messages)', legend: 'lake writer buffer' },
        { expr: 'bankops_model_join_pending', legend: 'join pending {{kind}}' },
      ],
      unit: 'short',
      min: 0,
    });
  return b.build();
}
