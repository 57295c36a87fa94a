import { DashboardBuilder } from './builder.js';
import type { JsonObject } from './builder.js';
import { withPromotions } from './common.js';

/** The count window (last N labelled predictions) of every version and variant. */
const RECENT = 'window=~"last_.*"';

/**
 * The rollout collecting labels (bankops_rollout_* from the monitor's judge) and the two versions it
 * compares on their own live traffic: the split, the labels each arm has, quality and money per arm, and
 * the decided difference with its interval.
 */
export function rollout(): JsonObject {
  const b = new DashboardBuilder('bankops-rollout', 'bankops · Rollout', {
    description:
      'The shadow or canary deciding on live labels: its split, the labels of each arm, champion vs challenger on their own traffic (quality, calibration, realized profit), and the decided difference with its interval.',
    tags: ['bankops', 'rollout'],
    from: 'now-3h',
  });
  withPromotions(b);

  b.row('Stage')
    .stat({
      title: 'Rollout collecting labels',
      description: '1 while a shadow or canary waits for labels (policy, versions and share in the legend)',
      targets: [
        {
          expr: 'max by (policy, champion, challenger, share) (bankops_rollout_active)',
          legend: '{{policy}} of v{{challenger}} against v{{champion}} (share {{share}})',
        },
      ],
      decimals: 0,
    })
    .stat({
      title: 'Labels per arm',
      description:
        'Labelled predictions of each arm since the rollout began (shadow: pairs for the challenger)',
      targets: [{ expr: 'max by (arm) (bankops_rollout_labels)', legend: '{{arm}}' }],
      decimals: 0,
    })
    .stat({
      title: 'Time left (minutes)',
      description: 'Until an undecided rollout is rolled back',
      targets: [{ expr: 'max((bankops_rollout_deadline_seconds - time()) / 60)', legend: 'minutes' }],
      decimals: 0,
    });

  b.row('Split and comparison')
    .timeseries({
      title: 'Answers per second by version and variant',
      targets: [
        {
          expr: 'sum by (model_version, variant) (rate(bankops_serving_predictions_total[$__rate_interval]))',
          legend: 'v{{model_version}} {{variant}}',
        },
      ],
      unit: 'reqps',
      stacked: true,
    })
    .timeseries({
      title: 'ROC-AUC on each arm’s own labelled traffic',
      targets: [
        {
          expr: `max by (model_version, variant) (bankops_model_roc_auc{${RECENT}})`,
          legend: 'v{{model_version}} {{variant}}',
        },
      ],
      decimals: 3,
    })
    .timeseries({
      title: 'Decided: challenger − champion with its interval',
      description: 'Set when the labels decided: the difference and the bounds of its interval',
      targets: [
        {
          expr: 'max by (challenger, champion, metric, bound) (bankops_rollout_difference)',
          legend: 'v{{challenger}} − v{{champion}} {{metric}} {{bound}}',
        },
      ],
      decimals: 3,
    });

  b.row('Money and calibration')
    .timeseries({
      title: 'Realized and expected profit per 1,000 customers (EUR)',
      targets: [
        {
          expr: `max by (model_version, variant) (bankops_model_profit_per_1000_eur{${RECENT}})`,
          legend: 'v{{model_version}} {{variant}} realized',
        },
        {
          expr: `max by (model_version, variant) (bankops_model_expected_profit_per_1000_eur{${RECENT}})`,
          legend: 'v{{model_version}} {{variant}} expected',
        },
      ],
      unit: 'currencyEUR',
    })
    .timeseries({
      title: 'Calibration error (ECE) and Brier score',
      targets: [
        {
          expr: `max by (model_version, variant) (bankops_model_ece{${RECENT}})`,
          legend: 'v{{model_version}} {{variant}} ECE',
        },
        {
          expr: `max by (model_version, variant) (bankops_model_brier{${RECENT}})`,
          legend: 'v{{model_version}} {{variant}} Brier',
        },
      ],
      decimals: 3,
      min: 0,
    });
  return b.build();
}
