import { getConfig } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { writeBundledDataset } from './bundled.js';
import type { DatasetFile } from './bundled.js';
import { BANK_FULL_FILE, BANK_FULL_SHA256, countDataRows, sha256, writeFileAtomic } from './files.js';
import { extractBankFull } from './zip.js';

export interface DownloadProgress {
  received: number;
  /** From Content-Length; undefined when the server does not say. */
  total: number | undefined;
}

export interface DownloadOptions {
  /** The UCI archive (either layout); default BANKOPS_DATA_URL. */
  url?: string;
  /** Where `bank-full.csv` goes (written atomically). */
  outFile: string;
  fetchImpl?: typeof fetch;
  /** No answer (or no new bytes) for this long counts as unreachable / stalled; default 30 s. */
  timeoutMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** The gzip copy to fall back on; default `<repo>/data/bank-full.csv.gz`. */
  bundledArchive?: string;
  log?: Logger;
}

export interface DownloadResult extends DatasetFile {
  source: 'download' | 'bundled';
  /** Why the bundled copy was used (only when `source` is 'bundled'). */
  reason?: string;
}

/** Below 1 GB: the real archive is about 1 MB, so anything near this is not it. */
const MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024;

/** Error codes meaning "could not reach the server" (DNS, connect, timeout), as Node and undici name them. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_SOCKET',
]);

class Unreachable extends Error {}

/** The first network error code in an error's cause chain (fetch wraps them: TypeError → cause). */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const { code, name, cause, errors } = error as {
    code?: unknown;
    name?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
  if (name === 'TimeoutError' || error instanceof Unreachable) return 'ETIMEDOUT';
  for (const inner of Array.isArray(errors) ? errors : []) {
    const found = networkCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return networkCode(cause, depth + 1);
}

function describe(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, i = 0; current instanceof Error && i < 4; current = current.cause, i += 1) {
    parts.push(current.message);
  }
  return parts.join(': ') || String(error);
}

/** Reads the body, reporting progress and aborting when no bytes arrive for `timeoutMs`. */
async function readBody(
  response: Response,
  controller: AbortController,
  timeoutMs: number,
  onProgress: DownloadOptions['onProgress'],
): Promise<Buffer> {
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress?.({ received, total });
  if (response.body === null) return Buffer.alloc(0);
  let timer = setTimeout(() => controller.abort(new Unreachable('download stalled')), timeoutMs);
  try {
    for await (const chunk of response.body) {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Unreachable('download stalled')), timeoutMs);
      received += chunk.byteLength;
      if (received > MAX_DOWNLOAD_BYTES) throw new Error(`more than ${MAX_DOWNLOAD_BYTES} bytes`);
      chunks.push(chunk);
      onProgress?.({ received, total });
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}

/** Fetches the archive; throws Unreachable (to fall back) or DOWNLOAD_FAILED. */
async function fetchArchive(url: string, options: DownloadOptions): Promise<Buffer> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Unreachable(`no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: controller.signal, redirect: 'follow' });
  } catch (error) {
    const code = networkCode(error) ?? networkCode(controller.signal.reason);
    if (code !== undefined) throw new Unreachable(`${code}: ${describe(error)}`, { cause: error });
    throw new BankopsError('DOWNLOAD_FAILED', `cannot download ${url}: ${describe(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new BankopsError(
      'DOWNLOAD_FAILED',
      `${url} answered HTTP ${response.status} ${response.statusText}`.trim(),
      {
        hint: 'Check the URL (--url or BANKOPS_DATA_URL); the UCI moves files now and then.',
        details: { status: response.status },
        retriable: response.status >= 500 || response.status === 429,
      },
    );
  }
  try {
    return await readBody(response, controller, timeoutMs, options.onProgress);
  } catch (error) {
    // The server answered but the transfer broke: not "unreachable", and nothing usable arrived.
    throw new BankopsError('DOWNLOAD_FAILED', `download of ${url} broke off: ${describe(error)}`, {
      hint: 'Retry; the bundled copy is used only when the site cannot be reached at all.',
      cause: error,
      retriable: true,
    });
  }
}

/**
 * Downloads the UCI Bank Marketing archive, extracts `bank-full.csv` in memory (current nested layout or
 * legacy `bank.zip`), verifies its sha256 and writes it atomically to `outFile`. Only when the site cannot
 * be reached does it fall back to the bundled copy (and says why); HTTP errors, damaged archives and
 * checksum mismatches throw.
 */
export async function downloadDataset(options: DownloadOptions): Promise<DownloadResult> {
  const url = options.url ?? getConfig().dataUrl;
  try {
    const protocol = new URL(url).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`unsupported protocol ${protocol}`);
  } catch (error) {
    throw new BankopsError('USAGE', `invalid data URL ${JSON.stringify(url)}`, { cause: error });
  }
  let archive: Buffer;
  try {
    archive = await fetchArchive(url, options);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    const reason = `${new URL(url).host} unreachable (${error.message})`;
    options.log?.warn({ url, reason }, 'data set download impossible; using the bundled copy');
    const file = await writeBundledDataset(options.outFile, options.bundledArchive);
    return { source: 'bundled', ...file, reason };
  }
  const csv = await extractBankFull(archive);
  const digest = sha256(csv);
  if (digest !== BANK_FULL_SHA256) {
    throw new BankopsError(
      'CHECKSUM_MISMATCH',
      `downloaded ${BANK_FULL_FILE} has sha256 ${digest}, expected ${BANK_FULL_SHA256}`,
      {
        hint: 'The file differs from the published data set (corrupted or changed upstream); nothing was written.',
        details: { url, bytes: csv.length },
      },
    );
  }
  await writeFileAtomic(options.outFile, csv);
  return { source: 'download', path: options.outFile, sha256: digest, rows: countDataRows(csv) };
}
