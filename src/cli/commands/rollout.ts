import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { createPipelineContext } from '../../pipeline/context.js';
import { activeRollout, finishRollout, startRollout } from '../../pipeline/rollout.js';
import { ALIASES, parsePolicy, parseShare, rolloutOf, type RolloutState } from '../../registry/index.js';
import { printJson, println } from '../output.js';

/** Labels per arm so far, as the monitor exports them (null when Prometheus has nothing). */
async function labelsSoFar(
  prometheusUrl: string,
  state: RolloutState,
): Promise<Record<string, number> | null> {
  try {
    const query = `bankops_rollout_labels{challenger="${state.challenger}",champion="${state.champion}"}`;
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`, {
      signal: AbortSignal.timeout(3_000),
    });
    const body = (await response.json()) as {
      data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    const result = body.data?.result ?? [];
    if (result.length === 0) return null;
    return Object.fromEntries(result.map((r) => [r.metric['arm'] ?? '?', Number(r.value[1])]));
  } catch {
    return null;
  }
}

function describe(state: RolloutState): string {
  const split =
    state.policy === 'canary' ? `${Math.round(state.share * 100)} % of customers` : 'every request (shadow)';
  return `${state.policy} of v${state.challenger} against champion v${state.champion}: ${split}, decided on ${state.metric} after ${state.minLabels} labels per arm, by ${state.deadline}`;
}

export function registerRollout(program: Command): void {
  const rollout = program
    .command('rollout')
    .description(
      'progressive delivery: see, start, promote or abort the shadow or canary deciding on live labels',
    );

  rollout
    .command('status')
    .description(
      'the rollout collecting labels (or the last one), its split, its labels so far and its decision',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = getConfig();
      const ctx = createPipelineContext(config, 'cli');
      try {
        const active = await activeRollout(ctx);
        const last = active?.state ?? rolloutOf(await lastRolledVersion(ctx));
        const labels = last ? await labelsSoFar(config.urls.prometheus, last) : null;
        if (opts.json) {
          printJson({ active: active !== undefined, rollout: last ?? null, labels });
          return;
        }
        if (!last) {
          println(
            `no rollout: ${ctx.names.modelName} promotes ${config.rollout.policy === 'direct' ? 'directly' : `by ${config.rollout.policy}`} (BANKOPS_ROLLOUT)`,
          );
          return;
        }
        println(`${active ? 'collecting' : last.stage}: ${describe(last)}`);
        if (labels)
          println(
            `  labels so far: ${Object.entries(labels)
              .map(([arm, n]) => `${arm} ${n}`)
              .join(', ')}`,
          );
        if (last.decision)
          println(
            `  decided (${last.decision.by}) at ${last.decision.at}: ${last.decision.action} — ${last.decision.reason}`,
          );
      } finally {
        await ctx.close();
      }
    });

  rollout
    .command('start')
    .description(
      'put a registered version in front of live traffic as a shadow or canary (a person overruling the offline gate)',
    )
    .requiredOption('--model-version <v>', 'the version to roll out')
    .option('--policy <p>', 'shadow or canary', 'canary')
    .option('--share <x>', "the canary's share of customers (0..1, exclusive)", Number)
    .action(async (opts: { modelVersion: string; policy: string; share?: number }) => {
      const config = getConfig();
      const policy = parsePolicy(opts.policy);
      if (policy === 'direct') {
        throw new BankopsError(
          'USAGE',
          'a rollout is shadow or canary; promote directly with bin/bankops promote',
        );
      }
      const share = parseShare(opts.share ?? config.rollout.share);
      const ctx = createPipelineContext(config, 'cli');
      try {
        const version = await ctx.mlflow.getModelVersion(ctx.names.modelName, opts.modelVersion);
        const champion = await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion);
        if (!champion)
          throw new BankopsError('NOT_FOUND', `${ctx.names.modelName} has no champion to measure against`);
        if (champion.version === version.version) {
          throw new BankopsError('USAGE', `v${version.version} already is the champion`);
        }
        const state = await startRollout(ctx, {
          version: version.version,
          champion: champion.version,
          policy,
          share,
          minLabels: config.rollout.minLabels,
          maxMs: config.rollout.maxMs,
          metric: config.rollout.metric,
          reason: 'started by an operator (bin/bankops rollout start)',
        });
        println(`started: ${describe(state)}`);
      } finally {
        await ctx.close();
      }
    });

  for (const [name, action, what] of [
    ['promote', 'promote', 'promote the challenger now, without waiting for the labels'],
    ['abort', 'rollback', 'roll the challenger back now: all traffic to the champion'],
  ] as const) {
    rollout
      .command(name)
      .description(what)
      .option('--reason <text>', 'why (recorded on the version and the event)')
      .action(async (opts: { reason?: string }) => {
        const ctx = createPipelineContext(getConfig(), 'cli');
        try {
          const done = await finishRollout(ctx, {
            action,
            by: 'operator',
            reason: `${name === 'promote' ? 'promoted' : 'aborted'} by an operator${opts.reason ? `: ${opts.reason}` : ''}`,
          });
          if (!done)
            throw new BankopsError('NOT_FOUND', `${ctx.names.modelName} has no rollout collecting labels`);
          println(`${done.stage}: v${done.challenger} (${done.policy}) — ${done.decision?.reason ?? ''}`);
        } finally {
          await ctx.close();
        }
      });
  }
}

/** The newest version that carried a rollout (for `status` after it ended). */
async function lastRolledVersion(ctx: ReturnType<typeof createPipelineContext>) {
  const versions = await ctx.mlflow.searchModelVersions(ctx.names.modelName).catch(() => []);
  return versions.find((v) => rolloutOf(v) !== undefined);
}
