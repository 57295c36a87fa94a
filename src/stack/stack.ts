import { mkdir } from 'node:fs/promises';
import type { Config } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import { homePaths, type HomePaths } from '../home/paths.js';
import type { Logger } from '../logging/index.js';
import { isAlive, portFree, readPidFile, removePidFile, startProcess, stopProcess, tail } from './process.js';
import { loadService } from './services/index.js';
import { SERVICE_NAMES, type ServiceContext, type ServiceDefinition, type ServiceName } from './types.js';

export interface ServiceStatus {
  name: ServiceName;
  title: string;
  up: boolean;
  url: string;
  /** Started by this stack (a pid we recorded and that is still ours). */
  managed: boolean;
  pid?: number;
  logFile: string;
  ports: number[];
}

export interface StackOptions {
  config: Config;
  log: Logger;
  only?: ServiceName[];
  progress?: (service: ServiceName, message: string) => void;
}

export function stackPaths(config: Config, name: ServiceName): HomePaths {
  return homePaths(config, name);
}

export function contextFor(options: StackOptions, name: ServiceName): ServiceContext {
  const paths = stackPaths(options.config, name);
  return {
    config: options.config,
    log: options.log.child({ service: name }),
    optDir: paths.optDir,
    dataDir: paths.dataDir,
    logFile: paths.logFile,
    progress: (message) => options.progress?.(name, message),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function selected(options: StackOptions): ServiceName[] {
  return options.only && options.only.length > 0
    ? SERVICE_NAMES.filter((n) => options.only?.includes(n))
    : [...SERVICE_NAMES];
}

async function statusOf(options: StackOptions, service: ServiceDefinition): Promise<ServiceStatus> {
  const ctx = contextFor(options, service.name);
  const paths = stackPaths(options.config, service.name);
  const record = await readPidFile(paths.pidFile);
  const managed = record !== undefined && isAlive(record);
  const up = await service.ready(ctx);
  return {
    name: service.name,
    title: service.title,
    up,
    url: service.url(options.config),
    managed,
    ...(managed && record ? { pid: record.pid } : {}),
    logFile: paths.logFile,
    ports: service.ports(options.config),
  };
}

export async function stackStatus(options: StackOptions): Promise<ServiceStatus[]> {
  const services = await Promise.all(selected(options).map((name) => loadService(name)));
  return Promise.all(services.map((service) => statusOf(options, service)));
}

/** Installs every selected service's artifacts (idempotent). */
export async function stackProvision(options: StackOptions): Promise<void> {
  for (const name of selected(options)) {
    const service = await loadService(name);
    const ctx = contextFor(options, name);
    await mkdir(ctx.optDir, { recursive: true });
    await service.checkPrerequisites(ctx);
    ctx.progress('provisioning');
    await service.provision(ctx);
  }
}

async function waitReady(service: ServiceDefinition, ctx: ServiceContext, pidFile: string): Promise<void> {
  const deadline = Date.now() + ctx.config.startupTimeoutMs;
  while (Date.now() < deadline) {
    if (await service.ready(ctx)) return;
    const record = await readPidFile(pidFile);
    if (!record || !isAlive(record)) {
      throw new BankopsError('SERVICE_START_FAILED', `${service.title} exited during start-up`, {
        hint: `Its log, ${ctx.logFile}, ends with:\n${tail(ctx.logFile)}`,
      });
    }
    await sleep(500);
  }
  throw new BankopsError(
    'SERVICE_START_FAILED',
    `${service.title} was not ready after ${ctx.config.startupTimeoutMs / 1000}s`,
    { hint: `Its log, ${ctx.logFile}, ends with:\n${tail(ctx.logFile)}` },
  );
}

/**
 * Starts one service unless it is already up. A pid file whose process died is cleared and the
 * service restarted. Returns true when this call started it.
 */
async function startOne(options: StackOptions, service: ServiceDefinition): Promise<boolean> {
  const ctx = contextFor(options, service.name);
  const paths = stackPaths(options.config, service.name);
  const record = await readPidFile(paths.pidFile);
  if (record && isAlive(record)) {
    if (await service.ready(ctx)) return false;
    ctx.progress('waiting for readiness');
    await waitReady(service, ctx, paths.pidFile);
    return false;
  }
  if (record) {
    ctx.log.warn({ pid: record.pid }, 'service had died; restarting it');
    await removePidFile(paths.pidFile);
  }
  for (const port of service.ports(options.config)) {
    if (!(await portFree(options.config.host, port))) {
      throw new BankopsError(
        'PORT_IN_USE',
        `${service.title} cannot start: port ${port} on ${options.config.host} is already in use`,
        { hint: 'Stop whatever holds it, or choose another port (see the README, "Configuration").' },
      );
    }
  }
  await mkdir(ctx.dataDir, { recursive: true });
  if (service.prepare) {
    ctx.progress('preparing state');
    await service.prepare(ctx);
  }
  const launch = await service.launch(ctx);
  ctx.progress('starting');
  await startProcess(launch, ctx.logFile, paths.pidFile);
  ctx.progress('waiting for readiness');
  await waitReady(service, ctx, paths.pidFile);
  if (service.afterStart) await service.afterStart(ctx);
  ctx.progress('up');
  return true;
}

/**
 * Provisions and starts every selected service. If one cannot start, the ones this call started are
 * stopped again, so a failed `up` leaves nothing half-started.
 */
export async function stackUp(options: StackOptions): Promise<ServiceStatus[]> {
  await stackProvision(options);
  const services = await Promise.all(selected(options).map((name) => loadService(name)));
  const started: ServiceName[] = [];
  const results = await Promise.allSettled(
    services.map(async (service) => {
      if (await startOne(options, service)) started.push(service.name);
    }),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    options.log.error({ err: failure.reason }, 'stack up failed; stopping what it started');
    await stackDown({ ...options, only: started });
    throw failure.reason;
  }
  return stackStatus(options);
}

/** Stops the selected services that this stack started (by their recorded pid, never by name). */
export async function stackDown(options: StackOptions): Promise<ServiceName[]> {
  const names = selected(options);
  const stopped: ServiceName[] = [];
  await Promise.all(
    [...names].reverse().map(async (name) => {
      const paths = stackPaths(options.config, name);
      const record = await readPidFile(paths.pidFile);
      if (!record) return;
      if (isAlive(record)) {
        options.progress?.(name, 'stopping');
        await stopProcess(record);
        stopped.push(name);
      }
      await removePidFile(paths.pidFile);
    }),
  );
  return stopped;
}
