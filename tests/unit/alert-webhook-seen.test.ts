import { describe, expect, it } from 'vitest';
import type { Alert } from '../../consumers/alert-webhook/parse.js';
import { SeenAlerts } from '../../consumers/alert-webhook/seen.js';

const alert = (over: Partial<Alert> = {}): Alert => ({
  status: 'firing',
  labels: { alertname: 'BankopsFeatureDrift', feature: 'contact' },
  annotations: {},
  startsAt: '2026-11-26T10:00:00Z',
  fingerprint: 'abc',
  ...over,
});

describe('the alerts the webhook has seen', () => {
  it('knows a firing resent with its group, but not a new firing, a resolution or an unremembered one', () => {
    const seen = new SeenAlerts();
    expect(seen.has(alert())).toBe(false);
    seen.remember(alert());
    expect(seen.has(alert({ annotations: { summary: 'resent' } }))).toBe(true);
    expect(seen.has(alert({ status: 'resolved' }))).toBe(false);
    expect(seen.has(alert({ startsAt: '2026-11-26T11:00:00Z' }))).toBe(false);
    expect(seen.has(alert({ fingerprint: 'def' }))).toBe(false);
  });

  it('forgets the oldest beyond its capacity', () => {
    const seen = new SeenAlerts(2);
    for (const fingerprint of ['a', 'b', 'c']) seen.remember(alert({ fingerprint }));
    expect(seen.has(alert({ fingerprint: 'a' }))).toBe(false);
    expect(seen.has(alert({ fingerprint: 'c' }))).toBe(true);
  });
});
