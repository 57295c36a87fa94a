import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { childEnv, type Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';

export interface BankopsProcess {
  child: ChildProcess;
  logFile: string;
  /** SIGTERM and wait for the exit (SIGKILL after the grace period). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs a bankops command as its own process, as it would run in production (the lake writer, the
 * pipeline and serving each in their own process: a training never stalls another component), with its
 * output in $BANKOPS_HOME/logs/demo-<name>.log. Resolves once a line of its stdout matches `ready`.
 */
export async function spawnBankops(
  config: Config,
  name: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<BankopsProcess> {
  const logFile = path.join(config.home, 'logs', `demo-${name}.log`);
  await mkdir(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(path.join(config.repoRoot, 'bin', 'bankops'), args, {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the demo itself dies, its components must not outlive it.
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new BankopsError('TIMEOUT', `bankops ${args.join(' ')} was not ready after ${timeoutMs / 1000} s`, {
            hint: `See ${logFile}`,
          }),
        ),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (ready.test(chunk.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      process.removeListener('exit', orphanGuard);
      reject(
        new BankopsError('SERVICE_START_FAILED', `bankops ${args.join(' ')} exited (${code})`, {
          hint: `See ${logFile}`,
        }),
      );
    });
  });
  return {
    child,
    logFile,
    async stop(graceMs = 30_000) {
      process.removeListener('exit', orphanGuard);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}
