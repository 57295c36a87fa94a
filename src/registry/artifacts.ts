import path from 'node:path';
import { BankopsError } from '../errors/index.js';
import { TrackingClient } from './tracking.js';
import type { FileInfo } from './types.js';

const PROXY_ROUTE = '/api/2.0/mlflow-artifacts/artifacts';
/** The server has one worker on this box; two uploads in flight keep it busy without queueing. */
const UPLOAD_CONCURRENCY = 2;

/**
 * The run's artifact root as a path under the server's artifact proxy: `mlflow-artifacts:/1/<run>/artifacts`
 * (or the `mlflow-artifacts://host:port/...` and `http(s)://.../api/2.0/mlflow-artifacts/artifacts/...`
 * spellings) becomes `1/<run>/artifacts`.
 */
export function proxiedArtifactRoot(artifactUri: string): string {
  let url: URL;
  try {
    url = new URL(artifactUri);
  } catch (error) {
    throw new BankopsError('REGISTRY_FAILED', `MLflow gave an unparsable artifact URI ${artifactUri}`, {
      cause: error,
    });
  }
  let root: string | undefined;
  if (url.protocol === 'mlflow-artifacts:') root = url.pathname;
  else if (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.pathname.includes(`${PROXY_ROUTE}/`)
  ) {
    root = url.pathname.slice(url.pathname.indexOf(`${PROXY_ROUTE}/`) + PROXY_ROUTE.length);
  }
  if (root === undefined) {
    throw new BankopsError(
      'REGISTRY_FAILED',
      `the run's artifact URI ${artifactUri} is not served through the MLflow artifact proxy`,
      {
        hint: 'Run the MLflow server with --serve-artifacts (the bankops stack does) and create a new experiment.',
        retriable: false,
      },
    );
  }
  return decodeURIComponent(root).replace(/^\/+|\/+$/g, '');
}

/** A clean relative POSIX path; refuses absolute paths and `..` so that nothing escapes the run root. */
export function cleanRelativePath(relPath: string, allowEmpty = false): string {
  const normalized = path.posix.normalize(relPath.replace(/\\/g, '/')).replace(/\/+$/, '');
  const cleaned = normalized === '.' ? '' : normalized;
  const bad =
    relPath.startsWith('/') ||
    cleaned.split('/').includes('..') ||
    (!allowEmpty && cleaned.length === 0) ||
    cleaned.includes('\0');
  if (bad) {
    throw new BankopsError('USAGE', `invalid artifact path ${JSON.stringify(relPath)}`, {
      hint: 'Artifact paths are relative to the run, e.g. `model/booster.json`, without `..`.',
    });
  }
  return cleaned;
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** Run artifacts through the tracking server's proxy (no direct access to the artifact store). */
export class ArtifactsClient extends TrackingClient {
  private readonly roots = new Map<string, string>();

  /** `<experiment>/<run>/artifacts`, looked up once per run. */
  async artifactRoot(runId: string): Promise<string> {
    const known = this.roots.get(runId);
    if (known !== undefined) return known;
    const run = await this.getRun(runId);
    const root = proxiedArtifactRoot(run.info.artifact_uri);
    this.roots.set(runId, root);
    return root;
  }

  async uploadArtifact(
    runId: string,
    relPath: string,
    bytes: Uint8Array,
    contentType?: string,
  ): Promise<void> {
    const target = `${await this.artifactRoot(runId)}/${cleanRelativePath(relPath)}`;
    await this.raw({
      method: 'PUT',
      path: `${PROXY_ROUTE}/${encodePath(target)}`,
      bytes,
      contentType,
      timeoutMs: this.options.artifactTimeoutMs ?? 300_000,
    });
  }

  /** Uploads every file under `prefix`; answers the run-relative paths written. */
  async uploadDirectory(
    runId: string,
    prefix: string,
    files: ReadonlyMap<string, Uint8Array>,
  ): Promise<string[]> {
    const base = cleanRelativePath(prefix, true);
    const entries = [...files].map(([rel, bytes]) => {
      const clean = cleanRelativePath(rel);
      return { target: base ? `${base}/${clean}` : clean, bytes };
    });
    await this.artifactRoot(runId);
    let next = 0;
    const worker = async () => {
      while (next < entries.length) {
        const entry = entries[next];
        next += 1;
        if (entry) await this.uploadArtifact(runId, entry.target, entry.bytes);
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, entries.length) }, worker));
    return entries.map((e) => e.target);
  }

  async downloadArtifact(runId: string, relPath: string): Promise<Buffer> {
    const target = `${await this.artifactRoot(runId)}/${cleanRelativePath(relPath)}`;
    return this.raw({
      method: 'GET',
      path: `${PROXY_ROUTE}/${encodePath(target)}`,
      timeoutMs: this.options.artifactTimeoutMs ?? 300_000,
      retry: true,
    });
  }

  /** One level of the run's artifacts under `dir` (the root by default); a missing folder lists empty. */
  async listArtifacts(runId: string, dir = ''): Promise<FileInfo[]> {
    const rel = cleanRelativePath(dir, true);
    const root = await this.artifactRoot(runId);
    const bytes = await this.raw({
      method: 'GET',
      path: PROXY_ROUTE,
      query: { path: rel ? `${root}/${rel}` : root },
      retry: true,
    });
    const { files } = JSON.parse(bytes.toString('utf8') || '{}') as {
      files?: Array<{ path: string; is_dir?: boolean; file_size?: number | string }>;
    };
    return (files ?? []).map((f) => ({
      path: rel ? `${rel}/${f.path}` : f.path,
      isDir: f.is_dir === true,
      ...(f.file_size === undefined ? {} : { fileSize: Number(f.file_size) }),
    }));
  }
}
