import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import type { ServiceContext, ServiceDefinition } from '../types.js';
import { capture, exists, httpReady, requireCommand, runCommand } from '../util.js';

const MIN_PYTHON: readonly [number, number] = [3, 10];
const PYTHON_HINT =
  'Install Python 3.10 or newer with its venv module (Debian/Ubuntu: `apt-get install python3 python3-venv`), ' +
  'or point BANKOPS_PYTHON at such an interpreter.';

/** The committed lock: the full `pip freeze` of a working venv (stack/mlflow/requirements.txt holds the top-level pins). */
function lockFile(config: Config): string {
  return path.join(config.repoRoot, 'stack', 'mlflow', 'requirements.lock');
}

const venvDir = (ctx: ServiceContext) => path.join(ctx.optDir, 'venv');
const markerFile = (ctx: ServiceContext) => path.join(ctx.optDir, 'provisioned.json');

interface Marker {
  lockSha256: string;
  python: string;
  installedAt: string;
}

async function readMarker(file: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** Host header values the server accepts (MLflow >= 3.5 rejects others to stop DNS rebinding). */
function allowedHosts(config: Config): string {
  const port = config.ports.mlflow;
  const names = new Set([config.host, 'localhost', '127.0.0.1']);
  return [...names].flatMap((name) => [name, `${name}:${port}`]).join(',');
}

export const mlflow: ServiceDefinition = {
  name: 'mlflow',
  title: 'MLflow tracking server',

  ports: (config) => [config.ports.mlflow],

  url: (config) => config.urls.mlflow,

  async checkPrerequisites(ctx) {
    const python = ctx.config.bins.python;
    const version = await requireCommand(python, 'Python 3', PYTHON_HINT);
    const match = /Python (\d+)\.(\d+)/.exec(version);
    const major = Number(match?.[1] ?? 0);
    const minor = Number(match?.[2] ?? 0);
    if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
      throw new BankopsError(
        'PREREQUISITE_MISSING',
        `MLflow needs Python ${MIN_PYTHON.join('.')} or newer; \`${python}\` is ${version.trim()}`,
        { hint: PYTHON_HINT },
      );
    }
    // Debian ships `venv` without `ensurepip` unless python3-venv is installed; `-m venv` then fails.
    const venvOk = await capture(python, ['-c', 'import ensurepip, venv']);
    if (venvOk === undefined) {
      throw new BankopsError(
        'PREREQUISITE_MISSING',
        `\`${python}\` has no working venv module (ensurepip missing)`,
        {
          hint: PYTHON_HINT,
        },
      );
    }
  },

  async provision(ctx) {
    const lock = lockFile(ctx.config);
    const lockText = await readFile(lock, 'utf8').catch((error: unknown) => {
      throw new BankopsError('PROVISION_FAILED', `cannot read ${lock}`, {
        cause: error,
        hint: 'The lock is part of the repository; restore it with `git checkout -- stack/mlflow`.',
      });
    });
    const lockSha256 = createHash('sha256').update(lockText).digest('hex');
    const venv = venvDir(ctx);
    const mlflowBin = path.join(venv, 'bin', 'mlflow');
    const marker = await readMarker(markerFile(ctx));
    if (marker?.lockSha256 === lockSha256 && (await exists(mlflowBin))) return;

    const log = path.join(ctx.optDir, 'provision.log');
    ctx.log.info({ venv, lock }, 'creating the MLflow virtual environment');
    await rm(markerFile(ctx), { force: true });
    // A venv from another lock may hold packages the new lock dropped: start from scratch.
    await rm(venv, { recursive: true, force: true });
    await mkdir(ctx.optDir, { recursive: true });
    ctx.progress('creating Python virtual environment');
    await runCommand(ctx.config.bins.python, ['-m', 'venv', venv], { logFile: log, what: 'python -m venv' });
    ctx.progress('pip install mlflow (PyPI, ~850 MB unpacked; a few minutes)');
    // --no-deps: the lock already lists every transitive package at its exact version.
    await runCommand(
      path.join(venv, 'bin', 'pip'),
      [
        'install',
        '--no-deps',
        '--no-input',
        '--progress-bar',
        'off',
        '--disable-pip-version-check',
        '-r',
        lock,
      ],
      { logFile: log, what: 'pip install -r stack/mlflow/requirements.lock' },
    );
    await runCommand(path.join(venv, 'bin', 'pip'), ['check'], {
      logFile: log,
      what: 'pip check (the lock is inconsistent)',
    });
    const python = (await capture(path.join(venv, 'bin', 'python'), ['--version']))?.trim() ?? 'unknown';
    const record: Marker = { lockSha256, python, installedAt: new Date().toISOString() };
    await writeFile(markerFile(ctx), JSON.stringify(record, null, 2));
  },

  async prepare(ctx) {
    await mkdir(path.join(ctx.dataDir, 'artifacts'), { recursive: true });
  },

  launch(ctx) {
    const { config, dataDir } = ctx;
    return Promise.resolve({
      command: path.join(venvDir(ctx), 'bin', 'mlflow'),
      args: [
        'server',
        '--backend-store-uri',
        `sqlite:///${path.join(dataDir, 'mlflow.db')}`,
        '--serve-artifacts',
        '--artifacts-destination',
        path.join(dataDir, 'artifacts'),
        '--host',
        config.host,
        '--port',
        String(config.ports.mlflow),
        '--workers',
        '1',
        '--allowed-hosts',
        allowedHosts(config),
      ],
      env: {
        // The job runner serves GenAI features bankops does not use; it is a third ~230 MB Python process.
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
        // No internet here: do not try to send usage telemetry.
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: 'true',
      },
      cwd: dataDir,
    });
  },

  ready: (ctx) =>
    httpReady(`http://${ctx.config.host}:${ctx.config.ports.mlflow}/health`, (status) => status === 200),
};
