import type { FastifyInstance } from 'fastify';
import type { RunningDeps } from './create.js';

/** A serving that listens: one process, or a node:cluster primary with its workers. */
export interface RunningServing {
  url: string;
  /** Graceful: stop accepting, finish in-flight requests, flush the producer, free the models. */
  close(): Promise<void>;
  /** The in-process app and its dependencies (absent with several workers). */
  app?: FastifyInstance;
  deps?: RunningDeps;
}
