import { describe, expect, it } from 'vitest';
import { decideRollout, RolloutEvidence } from '../../src/monitoring/rollout.js';
import type { RolloutState } from '../../src/registry/index.js';
import { mulberry32 } from '../../src/training/index.js';

const START = Date.UTC(2026, 11, 4, 12);
const rollout = (policy: 'canary' | 'shadow', minLabels = 200): RolloutState => ({
  policy,
  share: policy === 'canary' ? 0.5 : 0,
  stage: 'collecting',
  challenger: '2',
  champion: '1',
  startedAt: new Date(START).toISOString(),
  deadline: new Date(START + 600_000).toISOString(),
  metric: 'roc_auc',
  minLabels,
});
const options = (now = START + 1_000) => ({
  now,
  replicates: 400,
  confidence: 0.95,
  economics: { costPerCall: 5, valuePerSubscription: 100 },
  margin: 0,
});

/** `n` labelled predictions of a version: `signal` 1 separates the outcomes perfectly, 0 not at all. */
function feed(
  evidence: RolloutEvidence,
  version: string,
  variant: string,
  n: number,
  signal: number,
  seed: number,
) {
  const random = mulberry32(seed);
  for (let i = 0; i < n; i += 1) {
    const outcome = random() < 0.2;
    const probability = Math.min(1, Math.max(0, signal * (outcome ? 1 : 0) + (1 - signal) * random()));
    evidence.addLabelled({
      predictionId: `${version}-${variant}-${seed}-${i}`,
      eventTime: START + 10 + i,
      modelVersion: version,
      variant,
      probability,
      decision: probability >= 0.5,
      outcome,
      labelTime: START + 20 + i,
    });
  }
}

describe('deciding a rollout on live labels', () => {
  it('collects until each canary arm holds the labels it needs, then promotes a better challenger', () => {
    const evidence = new RolloutEvidence();
    feed(evidence, '1', 'champion', 150, 0.1, 1);
    feed(evidence, '2', 'challenger', 250, 0.6, 2);
    expect(decideRollout(evidence, rollout('canary'), options())).toEqual({
      status: 'collecting',
      labels: { champion: 150, challenger: 250 },
    });
    feed(evidence, '1', 'champion', 100, 0.1, 3);
    const verdict = decideRollout(evidence, rollout('canary'), options());
    expect(verdict).toMatchObject({ status: 'decided', action: 'promote', by: 'labels' });
    if (verdict.status === 'decided') {
      expect(verdict.comparison?.low).toBeGreaterThan(0);
      expect(verdict.reason).toMatch(
        /^roc_auc v2 [01]\.\d{3} vs v1 0\.\d{3} on live labels: \+0\.\d{3}, 95 % CI/,
      );
    }
  });

  it('rolls back a worse canary, decides the same from the same labels, and ignores traffic before the start', () => {
    const evidence = new RolloutEvidence();
    evidence.addLabelled({
      predictionId: 'old',
      eventTime: START - 1,
      modelVersion: '2',
      variant: 'challenger',
      probability: 1,
      decision: true,
      outcome: true,
      labelTime: START,
    });
    feed(evidence, '1', 'champion', 220, 0.6, 4);
    feed(evidence, '2', 'challenger', 220, 0.05, 5);
    const first = decideRollout(evidence, rollout('canary'), options());
    expect(first).toMatchObject({ status: 'decided', action: 'rollback', labels: { challenger: 220 } });
    expect(decideRollout(evidence, rollout('canary'), options())).toEqual(first);
  });

  it('pairs shadow scores with the answers they shadow', () => {
    const evidence = new RolloutEvidence();
    feed(evidence, '1', 'champion', 220, 0.05, 6);
    const random = mulberry32(7);
    for (let i = 0; i < 220; i += 1) {
      evidence.addShadow(`1-champion-6-${i}`, { modelVersion: '2', probability: random(), decision: false });
    }
    const verdict = decideRollout(evidence, rollout('shadow'), options());
    expect(verdict).toMatchObject({ status: 'decided', labels: { champion: 220, challenger: 220 } });
    if (verdict.status === 'decided') expect(verdict.comparison?.method).toMatch(/paired/);
  });

  it('rolls back at the deadline when the labels never came', () => {
    const verdict = decideRollout(new RolloutEvidence(), rollout('canary'), options(START + 600_000));
    expect(verdict).toMatchObject({
      status: 'decided',
      action: 'rollback',
      by: 'time-limit',
      comparison: null,
    });
  });
});
