import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServingConfig } from '../../src/config/index.js';
import { BankopsError } from '../../src/errors/index.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs a Bearer API key (predict, invocations, ground truth, explain). */
    auth?: boolean;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{8,512})$/;

/** Refuses to run without keys unless BANKOPS_SERVING_AUTH=off says so explicitly. */
export function checkAuthConfig(config: Pick<ServingConfig, 'auth' | 'apiKeyHashes'>): void {
  if (config.auth === 'on' && config.apiKeyHashes.length === 0) {
    throw new BankopsError('CONFIG_INVALID', 'serving has no API keys configured', {
      hint:
        'Set BANKOPS_SERVING_API_KEYS to the sha256 hex digests of your keys ' +
        '(e.g. `printf %s "$KEY" | sha256sum`), or set BANKOPS_SERVING_AUTH=off to serve without keys.',
    });
  }
}

/** The stored form of a key: its sha256 as hex, as BANKOPS_SERVING_API_KEYS lists it. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Compares the key's sha256 with every stored digest in constant time (no early exit, equal lengths),
 * so neither timing nor the stored form gives the key away.
 */
export function keyMatches(key: string, hashes: readonly Buffer[]): boolean {
  const digest = createHash('sha256').update(key, 'utf8').digest();
  let match = false;
  for (const hash of hashes) match = timingSafeEqual(digest, hash) || match;
  return match;
}

function authenticate(request: FastifyRequest, hashes: readonly Buffer[]): void {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw new BankopsError('UNAUTHORIZED', 'missing Authorization header', {
      hint: 'Send `Authorization: Bearer <api key>`.',
    });
  }
  const key = BEARER.exec(header)?.[1];
  if (key === undefined) {
    throw new BankopsError('UNAUTHORIZED', 'malformed Authorization header: expected `Bearer <api key>`', {
      hint: 'Send `Authorization: Bearer <api key>` (8 to 512 URL-safe characters).',
    });
  }
  if (!keyMatches(key, hashes)) {
    throw new BankopsError('FORBIDDEN', 'API key refused', {
      hint: 'Ask the operator for a valid key (its sha256 must be in BANKOPS_SERVING_API_KEYS).',
    });
  }
}

/** Checks keys on routes marked `config: { auth: true }`, before the body is even read. */
export function registerAuth(app: FastifyInstance, config: ServingConfig): void {
  checkAuthConfig(config);
  if (config.auth === 'off') return;
  const hashes = config.apiKeyHashes.map((hex) => Buffer.from(hex, 'hex'));
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.auth === true) authenticate(request, hashes);
  });
}
