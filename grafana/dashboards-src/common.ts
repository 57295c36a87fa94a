import type { DashboardBuilder } from './builder.js';

/**
 * Pieces shared by the dashboards. Model versions carry through every query as regex matchers
 * (`=~"$var"`), so "All" (`.*`) and multi-selection both work.
 */

export const SELECT = 'model_version=~"$model_version",variant=~"$variant"';

/**
 * A vertical marker whenever a (model version, variant) starts serving: the pair has a
 * bankops_serving_model_info series now but had none a minute ago. (changes() would miss it: the info
 * gauge is a constant 1 on a NEW series, never a changing value.)
 */
export function withPromotions(builder: DashboardBuilder): DashboardBuilder {
  return builder.annotation({
    name: 'Model loaded',
    expr: 'count by (model_version, variant) (bankops_serving_model_info) unless count by (model_version, variant) (bankops_serving_model_info offset 1m)',
    color: 'purple',
    title: 'Model {{model_version}} serves as {{variant}}',
    tagKeys: ['model_version', 'variant'],
  });
}

export function withModelVariables(builder: DashboardBuilder, metric: string): DashboardBuilder {
  return builder
    .variable({
      name: 'model_version',
      label: 'Model version',
      query: `label_values(${metric}, model_version)`,
    })
    .variable({ name: 'variant', label: 'Variant', query: `label_values(${metric}, variant)` });
}

/** Green above a floor, red below (accuracy, F1). */
export const floor = (value: number): Array<{ value: number | null; color: string }> => [
  { value: null, color: 'red' },
  { value, color: 'green' },
];
