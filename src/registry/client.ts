import { BankopsError } from '../errors/index.js';
import { ModelsClient } from './models.js';

/**
 * A typed client over MLflow's REST API (tracking, proxied artifacts, model registry). The npm `mlflow`
 * package predates aliases and the artifact proxy, so bankops speaks HTTP itself. The API is layered
 * by file: http.ts (transport, errors) → tracking.ts → artifacts.ts → models.ts → this class.
 */
export class MlflowClient extends ModelsClient {
  /** Throws SERVICE_UNAVAILABLE unless the server answers GET /health with 200. */
  async ping(): Promise<void> {
    const body = await this.raw({ method: 'GET', path: '/health', timeoutMs: 5_000 }).catch(
      (error: unknown) => {
        if (error instanceof BankopsError && error.code === 'SERVICE_UNAVAILABLE') throw error;
        throw new BankopsError('SERVICE_UNAVAILABLE', `MLflow at ${this.baseUrl} is not healthy`, {
          cause: error,
          hint: 'Check `bin/bankops stack status` and the MLflow log under $BANKOPS_HOME/logs.',
          retriable: true,
        });
      },
    );
    this.log.debug({ body: body.toString('utf8').trim() }, 'mlflow health');
  }

  /** true when the server is up and healthy; never throws. */
  async health(): Promise<boolean> {
    try {
      await this.ping();
      return true;
    } catch {
      return false;
    }
  }
}
