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
  // A failed command may leave clients (Kafka, DuckDB) holding the event loop open: give them a moment
  // to close, then exit with the error's code rather than hang.
  setTimeout(() => process.exit(process.exitCode ?? 1), 3_000).unref();
}
