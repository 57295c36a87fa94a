import type { FastifyInstance, RouteOptions } from 'fastify';
import { DOCS_HTML } from './docs-page.js';

declare module 'fastify' {
  /** The OpenAPI fields routes declare next to their schemas (read by openApiDocument). */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    security?: Array<Record<string, string[]>>;
    produces?: string[];
    /**
     * The request body OpenAPI shows, by content type, where JSON Schema cannot state the whole rule the
     * server checks: a subset it accepts in full (serving/schemas/documented.ts). Default: `body`.
     */
    documentedBody?: Record<string, unknown>;
  }
}

export interface RouteRecord {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  auth: boolean;
}

/** TypeBox schemas are JSON Schema plus symbol-keyed metadata; JSON drops the symbols. */
const plain = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema)) as unknown;

function requestBody(schema: Record<string, unknown>): Record<string, unknown> {
  const documented = (schema['documentedBody'] as Record<string, unknown> | undefined) ?? {
    'application/json': schema['body'],
  };
  const content = Object.fromEntries(
    Object.entries(documented).map(([type, body]) => [type, { schema: plain(body) }]),
  );
  return { required: true, content };
}

/** A route's path parameters (`/v2/models/:name` is `/v2/models/{name}` in OpenAPI). */
function pathParameters(params: unknown): Array<Record<string, unknown>> {
  const properties = ((params as { properties?: Record<string, unknown> }).properties ?? {}) as Record<
    string,
    unknown
  >;
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'path',
    required: true,
    schema: plain(schema),
  }));
}

function responses(schema: Record<string, unknown>): Record<string, unknown> {
  const declared = (schema['response'] ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [status, body] of Object.entries(declared)) {
    out[status.toUpperCase()] = {
      description: status === '200' ? 'OK' : status.startsWith('4') ? 'client error' : 'server error',
      content: { 'application/json': { schema: plain(body) } },
    };
  }
  if (Object.keys(out).length === 0) out['200'] = { description: 'OK', content: { 'text/plain': {} } };
  return out;
}

/** OpenAPI 3.1 (full JSON Schema, so TypeBox's `type: null` is valid) assembled from the routes' schemas. */
export function openApiDocument(routes: readonly RouteRecord[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { schema } = route;
    const operation: Record<string, unknown> = {
      summary: schema['summary'],
      description: schema['description'],
      tags: schema['tags'],
      ...(route.auth ? { security: [{ bearer: [] }] } : {}),
      ...(schema['params'] !== undefined ? { parameters: pathParameters(schema['params']) } : {}),
      ...(schema['body'] !== undefined ? { requestBody: requestBody(schema) } : {}),
      responses: responses(schema),
    };
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'bankops model serving',
      version,
      description:
        'Scores UCI Bank Marketing customers with the champion XGBoost model from MLflow. Every answered ' +
        'prediction is published to Kafka before the response.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key' } },
    },
    paths,
  };
}

/** Records every route with a schema as it is added (call before the routes are registered). */
export function collectRoutes(app: FastifyInstance): RouteRecord[] {
  const routes: RouteRecord[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.schema === undefined || route.url.startsWith('/docs') || route.url === '/openapi.json') return;
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: route.url,
        schema: route.schema as Record<string, unknown>,
        auth: route.config?.auth === true,
      });
    }
  });
  return routes;
}

export function docsRoutes(app: FastifyInstance, routes: readonly RouteRecord[], version: string): void {
  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', async () => {
    document ??= openApiDocument(routes, version);
    return document;
  });
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_HTML));
}
