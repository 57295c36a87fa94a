import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { childEnv } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import { tail } from './process.js';
import { capture } from '../util/process.js';
import { exists } from '../util/fs.js';

export { capture, exists };

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Output is appended here; the error shows its tail. */
  logFile: string;
  what: string;
}

/** Runs a provisioning command (mvn, pip, ...) to completion; throws PROVISION_FAILED with the log's tail. */
export async function runCommand(command: string, args: string[], options: RunOptions): Promise<void> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const out = createWriteStream(options.logFile, { flags: 'a' });
  out.write(`\n$ ${command} ${args.join(' ')}\n`);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: childEnv(options.env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
      child.once('error', reject);
      child.once('close', (status) => resolve(status ?? 1));
    });
    if (code !== 0) {
      await new Promise((resolve) => out.end(resolve));
      throw new BankopsError('PROVISION_FAILED', `${options.what} failed (exit ${code})`, {
        hint: `See ${options.logFile}:\n${tail(options.logFile, 20)}`,
      });
    }
  } catch (error) {
    if (error instanceof BankopsError) throw error;
    throw new BankopsError('PROVISION_FAILED', `${options.what}: cannot run ${command}`, { cause: error });
  } finally {
    if (!out.closed) await new Promise((resolve) => out.end(resolve));
  }
}

/** Throws PREREQUISITE_MISSING when `command --version` (or the given args) cannot run. */
export async function requireCommand(
  command: string,
  what: string,
  hint: string,
  args: string[] = ['--version'],
): Promise<string> {
  const out = await capture(command, args);
  if (out === undefined) {
    throw new BankopsError('PREREQUISITE_MISSING', `${what} not found (tried \`${command}\`)`, { hint });
  }
  return out;
}

/** True when GET url answers with a status below 500 (or the expected one) within the timeout. */
export async function httpReady(
  url: string,
  expect?: (status: number) => boolean,
  timeoutMs = 2000,
): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return expect ? expect(response.status) : response.status < 500;
  } catch {
    return false;
  }
}

export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves a Maven project's runtime dependencies into `outDir` (a folder of jars). Maven's local
 * repository (~/.m2) caches them for the next machine run.
 */
export async function mavenCopyDependencies(
  mvn: string,
  pom: string,
  outDir: string,
  logFile: string,
  what: string,
): Promise<void> {
  await runCommand(
    mvn,
    [
      '-B',
      '-q',
      '-f',
      pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${outDir}`,
    ],
    { logFile, what },
  );
}

/** Parses the major version from `java -version` output ("1.8.0_x" is 8, "17.0.15" is 17). */
export function javaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}
