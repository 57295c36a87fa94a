import { pino, type Logger } from 'pino';
import { getConfig } from '../config/index.js';

export type { Logger } from 'pino';

let root: Logger | undefined;

/** pino JSON logs; the CLI sends them to stderr so that stdout stays for results. */
export function rootLogger(): Logger {
  root ??= pino(
    { level: getConfig().logLevel, base: { service: 'bankops' } },
    pino.destination({ fd: 2, sync: true }),
  );
  return root;
}

export function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ component, ...bindings });
}
