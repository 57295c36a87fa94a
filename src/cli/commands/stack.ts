import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { logger } from '../../logging/index.js';
import { stackDown, stackProvision, stackStatus, stackUp, type ServiceStatus } from '../../stack/stack.js';
import { SERVICE_NAMES, type ServiceName } from '../../stack/types.js';
import { printJson, println, StepProgress } from '../output.js';

export function parseOnly(value: string | undefined): ServiceName[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      throw new BankopsError('USAGE', `unknown service "${name}"`, {
        hint: `Services: ${SERVICE_NAMES.join(', ')}`,
      });
    }
  }
  return names as ServiceName[];
}

export function printServiceTable(services: ServiceStatus[]): void {
  const width = Math.max(...services.map((s) => s.title.length));
  for (const s of services) {
    const state = s.up ? 'up  ' : 'DOWN';
    const pid = s.pid === undefined ? '' : ` (pid ${s.pid})`;
    println(`  ${state}  ${s.title.padEnd(width)}  ${s.url}${pid}`);
  }
}

/** Brings the selected services up with a progress line per service. */
export async function runStackUp(only: ServiceName[] | undefined): Promise<ServiceStatus[]> {
  const config = getConfig();
  const progress = new StepProgress(only ?? SERVICE_NAMES);
  try {
    return await stackUp({
      config,
      log: logger('stack'),
      ...(only ? { only } : {}),
      progress: (name, message) => progress.update(name, message),
    });
  } finally {
    progress.stop();
  }
}

export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description(
      'the local stack: Kafka, schema registry, Iceberg REST catalog, MLflow, Prometheus, Alertmanager',
    );
  const onlyOption = ['--only <services>', `comma-separated subset of: ${SERVICE_NAMES.join(', ')}`] as const;

  stack
    .command('up')
    .description('install what is missing, start every service that is not running, wait until ready')
    .option(...onlyOption)
    .option('--json', 'print the status as JSON')
    .action(async (opts: { only?: string; json?: boolean }) => {
      const services = await runStackUp(parseOnly(opts.only));
      if (opts.json) printJson(services);
      else printServiceTable(services);
    });

  stack
    .command('down')
    .description('stop the services this stack started (by the pid it recorded)')
    .option(...onlyOption)
    .action(async (opts: { only?: string }) => {
      const only = parseOnly(opts.only);
      const stopped = await stackDown({
        config: getConfig(),
        log: logger('stack'),
        ...(only ? { only } : {}),
      });
      println(stopped.length === 0 ? 'nothing was running' : `stopped: ${stopped.join(', ')}`);
    });

  stack
    .command('status')
    .description('show whether each service answers its readiness check')
    .option(...onlyOption)
    .option('--json', 'print JSON')
    .action(async (opts: { only?: string; json?: boolean }) => {
      const only = parseOnly(opts.only);
      const services = await stackStatus({
        config: getConfig(),
        log: logger('stack'),
        ...(only ? { only } : {}),
      });
      if (opts.json) printJson(services);
      else printServiceTable(services);
      if (services.some((s) => !s.up)) process.exitCode = 1;
    });

  stack
    .command('provision')
    .description('install every service’s artifacts (Maven, PyPI) without starting anything')
    .option(...onlyOption)
    .action(async (opts: { only?: string }) => {
      const only = parseOnly(opts.only);
      const progress = new StepProgress(only ?? SERVICE_NAMES);
      try {
        await stackProvision({
          config: getConfig(),
          log: logger('stack'),
          ...(only ? { only } : {}),
          progress: (name, message) => progress.update(name, message),
        });
      } finally {
        progress.stop();
      }
      println('provisioned');
    });
}
