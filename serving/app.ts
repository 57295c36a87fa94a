import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ServingDeps } from './deps.js';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerHttpMetrics } from './plugins/metrics.js';
import { typeboxValidator } from './plugins/validation.js';
import { explainRoute } from './routes/explain.js';
import { groundTruthRoute } from './routes/ground-truth.js';
import { healthRoutes } from './routes/health.js';
import { invocationsRoute } from './routes/invocations.js';
import { metricsRoute } from './routes/metrics.js';
import { modelRoute } from './routes/model.js';
import { oipRoutes } from './routes/oip.js';
import { collectRoutes, docsRoutes } from './routes/openapi.js';
import { predictRoute } from './routes/predict.js';

export const API_VERSION = '1.0.0';

/**
 * The serving API as a Fastify plugin: hooks, validator, error handler and routes. It never listens;
 * server.ts (or a test with `app.inject`) decides that. fastify-plugin keeps it in the caller's scope, so
 * its hooks and handlers apply app-wide.
 */
export const servingPlugin = fp<ServingDeps>(
  async (instance, deps) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.setValidatorCompiler(typeboxValidator);
    registerErrorHandling(app);
    registerAuth(app, deps.config);
    registerHttpMetrics(app, deps.metrics);
    const routes = collectRoutes(app);
    healthRoutes(app, deps);
    metricsRoute(app, deps);
    modelRoute(app, deps);
    predictRoute(app, deps);
    groundTruthRoute(app, deps);
    explainRoute(app, deps);
    // Its own context, so that text/csv is only read there.
    await app.register(async (scope) => invocationsRoute(scope, deps));
    await app.register(async (scope) => oipRoutes(scope, deps));
    docsRoutes(app, routes, API_VERSION);
  },
  { name: 'bankops-serving', fastify: '5.x' },
);

/** A Fastify instance with the serving API registered and ready (not listening). */
export async function buildApp(deps: ServingDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // One log line per request would cost more than scoring; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.bodyLimit,
    // While closing, new requests get 503 and idle keep-alive sockets are closed; in-flight ones finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestIdHeader: 'x-request-id',
    // A client that trickles its request or idles on a socket must not hold it forever.
    requestTimeout: 30_000,
    connectionTimeout: 75_000,
    keepAliveTimeout: 65_000,
    // A path parameter longer than the router's 100 characters would be a bare 414 from the router; let
    // the route's schema refuse it with a 400 naming the parameter instead.
    routerOptions: { maxParamLength: 1_000 },
  });
  // Headers must arrive sooner than the whole request (Node's own limit, below requestTimeout).
  app.server.headersTimeout = 10_000;
  // text/plain is not an input format here: a 415, not a string the schema then refuses.
  app.removeContentTypeParser('text/plain');
  await app.register(servingPlugin, deps);
  await app.ready();
  return app;
}
