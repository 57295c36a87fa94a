/**
 * `bankops demo` end to end on the real stack, with reduced sizes (a smaller retraining threshold and
 * grid): the same code path `make demo` runs.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';

const run = promisify(execFile);
const config = getConfig();

describe('bankops demo', () => {
  it('walks the whole lifecycle and keeps the API answering through the swap', async () => {
    const { stdout } = await run(
      path.join(config.repoRoot, 'bin', 'bankops'),
      ['demo', '--keep-running', '--batch-rows', '500'],
      {
        cwd: config.repoRoot,
        env: {
          ...process.env,
          BANKOPS_RETRAIN_THRESHOLD_ROWS: '3000',
          BANKOPS_TRAIN_GRID_LIMIT: '6',
          BANKOPS_LOG_LEVEL: 'warn',
        },
        maxBuffer: 32 * 1024 * 1024,
        timeout: 900_000,
      },
    );
    for (const step of [
      '1. the local stack',
      '2. topics',
      '3. the lake writer',
      '4. the UCI',
      '5. a synthetic batch',
      '6. Iceberg snapshots',
      '7. the EDA report',
      '8. train',
      '9. register',
      '10. serve',
      '11. simulate clients',
      '12. clients drift',
      '13. the chain',
      '14. alerts',
      '15. the stakeholder report',
      '16. lineage',
    ]) {
      expect(stdout).toContain(step);
    }
    expect(stdout).toMatch(
      /landed in Iceberg bank\.customers: 45211 rows|already in the lake \(45211 rows\)/,
    );
    expect(stdout).toMatch(/POST \/invocations .* → 200 \{"predictions":\[/);
    expect(stdout).toMatch(
      /POST \/v2\/models\/[\w.-]+\/infer \(Open Inference Protocol.* → 200 probability \[0\./,
    );
    expect(stdout).toMatch(/sent 600, answered 600, errors 0, labels 600/);
    expect(stdout).toMatch(/Prometheus v\d+ accuracy \(last labelled\)\s+0\.\d{3}/);
    // Asked with nothing new, the trainer skips: no run, no version.
    expect(stdout).toMatch(
      /a retraining asked for before any new data: retrain\.skipped reason=nothing was added since v\d+'s training/,
    );
    // Monitoring evidence (not only rows) starts a retraining, and the rows threshold starts another.
    expect(stdout).toMatch(/retrain\.requested\s+trigger=(drift\.detected|performance\.degraded)/);
    // The retraining learns from the labelled traffic, and the decision rests on an interval on rows neither
    // model saw, printed with both models' ROC-AUC on the held-out drifted clients.
    expect(stdout).toMatch(
      /model\.trained\s+version=\d+ rows=\d+; from \S*bank\.customers@\d+ \(\d+ rows\) \+ bank\.predictions@\d+ \(\d+ rows\)/,
    );
    expect(stdout).toMatch(/95 % CI \[[+−]\d\.\d{3}, [+−]\d\.\d{3}\]/);
    // A challenger that passes the offline gate meets live clients as a canary, and their labels decide.
    expect(stdout).toMatch(/offline gate passed: a canary answers 50 % of customers/);
    expect(stdout).toMatch(
      /canary decided on live labels: (promoted|rolled back) v\d+, [+−]\d\.\d{3}, 95 % CI \[/,
    );
    expect(stdout).toMatch(
      /an operator starts a canary of v1|v1 is the champion|a rollout is still deciding/,
    );
    expect(stdout).toMatch(
      /held-out traffic \(\d+ labelled clients, \d+ subscribed, neither model trained on them\): ROC-AUC v\d+ 0\.\d{3} → v\d+ 0\.\d{3}/,
    );
    expect(stdout).toMatch(/retrain\.requested\s+trigger=rows/);
    expect(stdout).toMatch(/model\.trained/);
    expect(stdout).toMatch(/(model\.(promoted|rejected)|rollout\.rolled-back)\s+version=/);
    expect(stdout).toMatch(/traffic during the chain: \d+ requests, \d+ answered, 0 failed/);
    // The drift scenario's alerts went Prometheus → Alertmanager → webhook → alert.fired: the feature
    // drift, and the accuracy drop of the concept drift.
    expect(stdout).toMatch(/alert\.fired\s+alertname=BankopsFeatureDrift severity=warning model_version=\d+/);
    expect(stdout).toMatch(
      /alert\.fired\s+alertname=BankopsModelAccuracy(Low|BelowTest) severity=\w+ model_version=\d+/,
    );
    expect(stdout).toMatch(/drifted clients: sent \d+, answered \d+, errors 0/);
    // One prediction followed back to its data: outcome, version, run, and every source's snapshot in the catalog.
    expect(stdout).toMatch(/prediction [0-9a-f-]{36}\n/);
    expect(stdout).toMatch(/ground truth: (subscribed|did not subscribe) at /);
    expect(stdout).toMatch(/run [0-9a-f]{32} /);
    expect(stdout).toMatch(/bank\.customers @ \d+ \(\d+ rows, committed [^)]+\); batches uci-/);
    expect(stdout).not.toMatch(/SNAPSHOT NOT IN THE CATALOG/);
    expect(stdout).toMatch(/demo finished in/);
  }, 900_000);
});
