import { DashboardBuilder } from './builder.js';
import type { JsonObject } from './builder.js';
import { floor, SELECT, withModelVariables, withPromotions } from './common.js';

const W = `${SELECT},window=~"$window"`;
/** The count window (last N labelled predictions): what the alerts read. */
const RECENT = `${SELECT},window=~"last_.*"`;

/** Realized metrics per version over time, with the CBPE estimate next to them. */
export function modelPerformance(): JsonObject {
  const b = new DashboardBuilder('bankops-model-performance', 'bankops · Model performance', {
    description:
      'Realized quality per model version and variant (labelled predictions), the CBPE estimate for predictions still without labels, coverage and campaign profit. Windows with too few labels show no quality values.',
    tags: ['bankops', 'model'],
  });
  withModelVariables(b, 'bankops_model_window_predictions');
  b.variable({
    name: 'window',
    label: 'Window',
    query: 'label_values(bankops_model_window_predictions, window)',
    multi: false,
    includeAll: false,
  });
  withPromotions(b);

  b.row('Now (last N labelled predictions)')
    .stat({
      title: 'Accuracy',
      targets: [{ expr: `bankops_model_accuracy{${RECENT}}`, legend: '{{model_version}} {{variant}}' }],
      unit: 'percentunit',
      decimals: 1,
      thresholds: floor(0.8),
    })
    .stat({
      title: 'F1',
      targets: [{ expr: `bankops_model_f1{${RECENT}}`, legend: '{{model_version}} {{variant}}' }],
      decimals: 3,
      thresholds: floor(0.3),
    })
    .stat({
      title: 'ROC-AUC',
      targets: [{ expr: `bankops_model_roc_auc{${RECENT}}`, legend: '{{model_version}} {{variant}}' }],
      decimals: 3,
    })
    .stat({
      title: 'Test accuracy in the bundle',
      description: 'The held-out test accuracy recorded at training: the accuracy alert fires 0.05 below it.',
      targets: [
        {
          expr: 'bankops_model_champion_test_accuracy{model_version=~"$model_version"}',
          legend: '{{model_version}}',
        },
      ],
      unit: 'percentunit',
      decimals: 1,
    });

  b.row('Quality over time ($window windows)')
    .timeseries({
      title: 'Accuracy: realized vs estimated',
      description:
        "Estimated = CBPE over the window's unlabelled predictions (assumes calibration and no concept drift).",
      targets: [
        { expr: `bankops_model_accuracy{${W}}`, legend: '{{model_version}} {{variant}} realized' },
        { expr: `bankops_model_estimated_accuracy{${W}}`, legend: '{{model_version}} {{variant}} estimated' },
      ],
      unit: 'percentunit',
      thresholds: floor(0.8),
      showThresholds: true,
    })
    .timeseries({
      title: 'F1: realized vs estimated',
      targets: [
        { expr: `bankops_model_f1{${W}}`, legend: '{{model_version}} {{variant}} realized' },
        { expr: `bankops_model_estimated_f1{${W}}`, legend: '{{model_version}} {{variant}} estimated' },
      ],
      min: 0,
      max: 1,
      thresholds: floor(0.3),
      showThresholds: true,
    })
    .timeseries({
      title: 'Precision and recall',
      targets: [
        { expr: `bankops_model_precision{${W}}`, legend: '{{model_version}} {{variant}} precision' },
        { expr: `bankops_model_recall{${W}}`, legend: '{{model_version}} {{variant}} recall' },
        {
          expr: `bankops_model_estimated_precision{${W}}`,
          legend: '{{model_version}} {{variant}} precision (est.)',
        },
        {
          expr: `bankops_model_estimated_recall{${W}}`,
          legend: '{{model_version}} {{variant}} recall (est.)',
        },
      ],
      min: 0,
      max: 1,
    })
    .timeseries({
      title: 'Ranking: ROC-AUC and PR-AUC',
      targets: [
        { expr: `bankops_model_roc_auc{${W}}`, legend: '{{model_version}} {{variant}} ROC-AUC' },
        { expr: `bankops_model_pr_auc{${W}}`, legend: '{{model_version}} {{variant}} PR-AUC' },
      ],
      min: 0,
      max: 1,
    })
    .timeseries({
      title: 'Brier score (lower is better)',
      targets: [{ expr: `bankops_model_brier{${W}}`, legend: '{{model_version}} {{variant}}' }],
      min: 0,
    })
    .timeseries({
      title: 'Realized campaign profit',
      description:
        'Value per subscription × subscriptions among the called − cost per call × calls, labelled predictions only.',
      targets: [{ expr: `bankops_model_profit_eur{${W}}`, legend: '{{model_version}} {{variant}}' }],
      unit: 'currencyEUR',
    });

  b.row('Labels and decisions')
    .timeseries({
      title: 'Label coverage',
      targets: [{ expr: `bankops_model_label_coverage{${W}}`, legend: '{{model_version}} {{variant}}' }],
      unit: 'percentunit',
      min: 0,
      max: 1,
      width: 8,
    })
    .timeseries({
      title: 'Positive rate (share called)',
      targets: [{ expr: `bankops_model_positive_rate{${W}}`, legend: '{{model_version}} {{variant}}' }],
      unit: 'percentunit',
      min: 0,
      width: 8,
    })
    .timeseries({
      title: 'Insufficient windows (too few labels or one class)',
      targets: [{ expr: `bankops_model_window_insufficient{${W}}`, legend: '{{model_version}} {{variant}}' }],
      min: 0,
      max: 1,
      stepped: true,
      width: 8,
    })
    .timeseries({
      title: 'Predictions and labels per window',
      targets: [
        {
          expr: `bankops_model_window_predictions{${W}}`,
          legend: '{{model_version}} {{variant}} predictions',
        },
        { expr: `bankops_model_window_labels{${W}}`, legend: '{{model_version}} {{variant}} labels' },
      ],
      unit: 'short',
    })
    .timeseries({
      title: 'Labels joined and rejected per second',
      targets: [
        {
          expr: `sum by (model_version, variant) (rate(bankops_model_labels_total{${SELECT}}[$__rate_interval]))`,
          legend: '{{model_version}} {{variant}} joined',
        },
        {
          expr: 'sum by (reason) (rate(bankops_model_labels_rejected_total[$__rate_interval]))',
          legend: 'rejected: {{reason}}',
        },
      ],
      unit: 'short',
    });

  b.row('Segments (last N labelled predictions of each)')
    .timeseries({
      title: 'Accuracy by contact type and age band',
      description:
        'A model can hold its overall accuracy while failing one group; at most 8 values per segment, then "other"',
      targets: [
        {
          expr: `bankops_model_segment_accuracy{${SELECT}}`,
          legend: '{{model_version}} {{variant}} {{segment}}={{value}}',
        },
      ],
      unit: 'percentunit',
    })
    .timeseries({
      title: 'ROC-AUC by contact type and age band',
      targets: [
        {
          expr: `bankops_model_segment_roc_auc{${SELECT}}`,
          legend: '{{model_version}} {{variant}} {{segment}}={{value}}',
        },
      ],
      decimals: 3,
    });
  return b.build();
}
