/**
 * The Python tools of the integration tests (scripts/install-test-tools.sh puts them in
 * <BANKOPS_HOME>/opt/test-tools/venv), run as child processes with their whole output kept.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { config } from './serving.js';

const BIN = path.join(config.home, 'opt', 'test-tools', 'venv', 'bin');

/** The path of a tool in the venv; throws with the install command when it is not there. */
export function testTool(name: string): string {
  const file = path.join(BIN, name);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`bash scripts/install-test-tools.sh\` (make test does)`);
  }
  return file;
}

/** Runs a command (in the temp folder: schemathesis writes a cache where it runs) to its end (killed after `timeoutMs`); resolves with its exit code and output. */
export function runTool(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
