import { CommanderError } from 'commander';
import { BankopsError } from '../errors/index.js';
import { buildProgram } from './program.js';

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (or the help / version, with exit code 0)
    return error.exitCode;
  }
  if (error instanceof BankopsError) {
    process.stderr.write(`bankops: error [${error.code}]: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  ${error.hint.replaceAll('\n', '\n  ')}\n`);
    return error.exitCode;
  }
  process.stderr.write(
    `bankops: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}
