import { z } from 'zod';
import { BankopsError } from '../../src/errors/index.js';

/** Alertmanager's webhook payload (version 4), the fields bankops uses. */
const alert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  fingerprint: z.string().optional(),
  generatorURL: z.string().optional(),
});

const payload = z.object({
  version: z.string().optional(),
  receiver: z.string(),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(alert),
  groupLabels: z.record(z.string(), z.string()).default({}),
  commonLabels: z.record(z.string(), z.string()).default({}),
  externalURL: z.string().optional(),
});

export type AlertmanagerPayload = z.infer<typeof payload>;
export type Alert = z.infer<typeof alert>;

export function parseWebhook(body: unknown): AlertmanagerPayload {
  const result = payload.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BankopsError(
      'DATA_INVALID',
      `not an Alertmanager webhook: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

/** The pipeline event for one alert: alert.fired or alert.resolved, with its labels and annotations. */
export function alertEvent(a: Alert): {
  type: 'alert.fired' | 'alert.resolved';
  payload: Record<string, unknown>;
} {
  return {
    type: a.status === 'firing' ? 'alert.fired' : 'alert.resolved',
    payload: {
      alertname: a.labels['alertname'] ?? 'unnamed',
      severity: a.labels['severity'] ?? null,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? null,
      fingerprint: a.fingerprint ?? null,
    },
  };
}
