import { DashboardBuilder } from './builder.js';
import type { JsonObject } from './builder.js';
import { SELECT, withModelVariables, withPromotions } from './common.js';

const F = `${SELECT},feature=~"$feature"`;

/** Drift of each feature and of the predicted probabilities against the bundle's training reference. */
export function dataDrift(): JsonObject {
  const b = new DashboardBuilder('bankops-data-drift', 'bankops · Data drift', {
    description:
      'Per feature: p-values (KS, chi-square, z-test; drift below 0.05) on small samples, normed Wasserstein / Jensen–Shannon distances (drift from 0.1) on large ones, and PSI for all (0.1 moderate, 0.25 significant).',
    tags: ['bankops', 'drift'],
  });
  withModelVariables(b, 'bankops_model_feature_psi');
  b.variable({
    name: 'feature',
    label: 'Feature',
    query: 'label_values(bankops_model_feature_psi, feature)',
  });
  withPromotions(b);

  b.row('Now')
    .stat({
      title: 'Drifted features',
      targets: [
        { expr: `bankops_model_drifted_features{${SELECT}}`, legend: '{{model_version}} {{variant}}' },
      ],
      thresholds: [
        { value: null, color: 'green' },
        { value: 1, color: 'orange' },
        { value: 3, color: 'red' },
      ],
    })
    .stat({
      title: 'Prediction drift',
      targets: [
        {
          expr: `bankops_model_prediction_drift_detected{${SELECT}}`,
          legend: '{{model_version}} {{variant}}',
        },
      ],
      thresholds: [
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ],
    })
    .stat({
      title: 'Largest feature PSI',
      targets: [
        {
          expr: `max by (model_version, variant) (bankops_model_feature_psi{${SELECT}})`,
          legend: '{{model_version}} {{variant}}',
        },
      ],
      decimals: 3,
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.1, color: 'orange' },
        { value: 0.25, color: 'red' },
      ],
    })
    .stat({
      title: 'Prediction PSI',
      targets: [{ expr: `bankops_model_prediction_psi{${SELECT}}`, legend: '{{model_version}} {{variant}}' }],
      decimals: 3,
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.1, color: 'orange' },
        { value: 0.25, color: 'red' },
      ],
    });

  b.row('Per feature')
    .timeseries({
      title: 'Drift detected',
      targets: [
        {
          expr: `bankops_model_feature_drift_detected{${F}}`,
          legend: '{{feature}} ({{model_version}} {{variant}})',
        },
      ],
      min: 0,
      max: 1,
      stepped: true,
    })
    .timeseries({
      title: 'PSI',
      targets: [
        { expr: `bankops_model_feature_psi{${F}}`, legend: '{{feature}} ({{model_version}} {{variant}})' },
      ],
      min: 0,
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.1, color: 'orange' },
        { value: 0.25, color: 'red' },
      ],
      showThresholds: true,
    })
    .timeseries({
      title: 'Test p-values (small samples; drift below 0.05)',
      targets: [
        {
          expr: `bankops_model_feature_drift_score{${F},method=~"ks|chisquare|ztest"}`,
          legend: '{{feature}} {{method}} ({{model_version}} {{variant}})',
        },
      ],
      min: 0,
      max: 1,
      thresholds: [
        { value: null, color: 'red' },
        { value: 0.05, color: 'green' },
      ],
      showThresholds: true,
    })
    .timeseries({
      title: 'Distances (large samples; drift from 0.1)',
      targets: [
        {
          expr: `bankops_model_feature_drift_score{${F},method=~"wasserstein|jensenshannon"}`,
          legend: '{{feature}} {{method}} ({{model_version}} {{variant}})',
        },
      ],
      min: 0,
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.1, color: 'red' },
      ],
      showThresholds: true,
    });

  b.row('Predicted probabilities')
    .timeseries({
      title: 'Prediction drift score',
      targets: [
        {
          expr: `bankops_model_prediction_drift_score{${SELECT}}`,
          legend: '{{model_version}} {{variant}} {{method}}',
        },
      ],
      min: 0,
    })
    .timeseries({
      title: 'Prediction PSI',
      targets: [{ expr: `bankops_model_prediction_psi{${SELECT}}`, legend: '{{model_version}} {{variant}}' }],
      min: 0,
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.1, color: 'orange' },
        { value: 0.25, color: 'red' },
      ],
      showThresholds: true,
    });
  return b.build();
}
