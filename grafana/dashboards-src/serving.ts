import { DashboardBuilder } from './builder.js';
import type { JsonObject } from './builder.js';
import { withPromotions } from './common.js';

const TRAFFIC = 'route!~"/metrics|/health.*|/ready.*"';

/** Serving traffic, latency, errors and decisions (recording rules of rules/monitoring.yml). */
export function serving(): JsonObject {
  const b = new DashboardBuilder('bankops-serving', 'bankops · Serving', {
    description: 'Requests, latency percentiles, errors and decisions of the scoring service.',
    tags: ['bankops', 'serving'],
    from: 'now-3h',
  });
  withPromotions(b);

  b.row('Now')
    .stat({
      title: 'Requests per second',
      targets: [{ expr: 'sum(job:bankops_serving_http_requests:rate5m)' }],
      unit: 'reqps',
      decimals: 1,
    })
    .stat({
      title: 'p99 latency',
      targets: [{ expr: 'max(job:bankops_serving_http_request_duration_seconds:p99_5m)' }],
      unit: 's',
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.05, color: 'red' },
      ],
    })
    .stat({
      title: 'Server error ratio',
      targets: [{ expr: 'max(job:bankops_serving_http_errors:ratio_rate5m)' }],
      unit: 'percentunit',
      decimals: 2,
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.05, color: 'red' },
      ],
    })
    .stat({
      title: 'Serving model',
      targets: [
        { expr: 'bankops_serving_model_info', legend: 'v{{model_version}} {{variant}}', instant: true },
      ],
    });

  b.row('Traffic and latency')
    .timeseries({
      title: 'Requests per second by status code',
      targets: [
        {
          expr: `sum by (status_code) (rate(bankops_serving_http_requests_total{${TRAFFIC}}[$__rate_interval]))`,
          legend: '{{status_code}}',
        },
      ],
      unit: 'reqps',
      stacked: true,
    })
    .timeseries({
      title: 'Latency percentiles',
      targets: [
        { expr: 'job:bankops_serving_http_request_duration_seconds:p50_5m', legend: 'p50 {{job}}' },
        { expr: 'job:bankops_serving_http_request_duration_seconds:p95_5m', legend: 'p95 {{job}}' },
        { expr: 'job:bankops_serving_http_request_duration_seconds:p99_5m', legend: 'p99 {{job}}' },
      ],
      unit: 's',
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.05, color: 'red' },
      ],
      showThresholds: true,
    })
    .timeseries({
      title: 'Latency by route (p99)',
      targets: [
        {
          expr: `histogram_quantile(0.99, sum by (route, le) (rate(bankops_serving_http_request_duration_seconds_bucket{${TRAFFIC}}[$__rate_interval])))`,
          legend: '{{route}}',
        },
      ],
      unit: 's',
    })
    .timeseries({
      title: 'Server error ratio',
      targets: [{ expr: 'job:bankops_serving_http_errors:ratio_rate5m', legend: '{{job}}' }],
      unit: 'percentunit',
      min: 0,
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.05, color: 'red' },
      ],
      showThresholds: true,
    });

  b.row('Decisions and models')
    .timeseries({
      title: 'Decisions per second',
      targets: [
        {
          expr: 'sum by (decision) (model_version_variant_decision:bankops_serving_predictions:rate5m)',
          legend: 'call={{decision}}',
        },
      ],
      unit: 'short',
      stacked: true,
    })
    .timeseries({
      title: 'Predictions per second by version and variant',
      targets: [
        {
          expr: 'sum by (model_version, variant) (model_version_variant_decision:bankops_serving_predictions:rate5m)',
          legend: 'v{{model_version}} {{variant}}',
        },
      ],
      unit: 'short',
    })
    .timeseries({
      title: 'Share of "call" decisions',
      targets: [
        {
          expr: 'sum by (model_version, variant) (model_version_variant_decision:bankops_serving_predictions:rate5m{decision="true"}) / sum by (model_version, variant) (model_version_variant_decision:bankops_serving_predictions:rate5m)',
          legend: 'v{{model_version}} {{variant}}',
        },
      ],
      unit: 'percentunit',
      min: 0,
    })
    .timeseries({
      title: 'Model load failures (per 10 min)',
      targets: [{ expr: 'increase(bankops_serving_model_load_failures_total[10m])', legend: '{{instance}}' }],
      unit: 'short',
      min: 0,
    });
  return b.build();
}
