import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { childEnv } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import type { Launch } from './types.js';

/** What we record about a process we started, so that we stop exactly that one and never another. */
export interface PidRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells a reused pid from ours. */
  startTicks: string;
  command: string;
  startedAt: string;
}

function procStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after the closing parenthesis are plain.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return undefined;
    return rest[19];
  } catch {
    return undefined;
  }
}

export function isAlive(record: PidRecord): boolean {
  return procStartTicks(record.pid) === record.startTicks;
}

export async function readPidFile(file: string): Promise<PidRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/** Starts a detached process (its own process group) with stdout and stderr appended to `logFile`. */
export async function startProcess(launch: Launch, logFile: string, pidFile: string): Promise<PidRecord> {
  await mkdir(path.dirname(logFile), { recursive: true });
  await mkdir(path.dirname(pidFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: childEnv(launch.env),
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (error) =>
        reject(
          new BankopsError('SERVICE_START_FAILED', `cannot run ${launch.command}: ${error.message}`, {
            cause: error,
          }),
        ),
      );
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    const record: PidRecord = {
      pid,
      startTicks: procStartTicks(pid) ?? '',
      command: [launch.command, ...launch.args].join(' '),
      startedAt: new Date().toISOString(),
    };
    await writeFile(pidFile, JSON.stringify(record, null, 2));
    return record;
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM to the process group we started, SIGKILL after the grace period. */
export async function stopProcess(record: PidRecord, graceMs = 20_000): Promise<void> {
  if (!isAlive(record)) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-record.pid, sig);
    } catch {
      try {
        process.kill(record.pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(record)) return;
    await sleep(200);
  }
  signal('SIGKILL');
  while (isAlive(record)) await sleep(100);
}

export async function removePidFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** True when nothing listens on host:port (we try to bind it ourselves). */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The last lines of a log, for error messages. */
export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}
