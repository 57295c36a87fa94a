import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BankopsError, type ErrorCode } from '../../src/errors/index.js';
import type { ErrorBody } from '../schemas/record.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An Open Inference Protocol route: errors are the protocol's `{"error": "..."}`. */
    oip?: boolean;
  }
}

/** Fastify's own 4xx codes, mapped to the catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'USAGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'DATA_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'DATA_INVALID',
  FST_ERR_VALIDATION: 'DATA_INVALID',
};

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  PAYLOAD_TOO_LARGE: 'the request body is larger than the limit (BANKOPS_SERVING_BODY_LIMIT)',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported Content-Type: send application/json (or text/csv on /invocations)',
};

/** Errors the client can act on show their message; other 5xx answers hide everything but a request id. */
const SHOWN_5XX = new Set<ErrorCode>(['SERVICE_UNAVAILABLE', 'TIMEOUT']);

export function toErrorBody(error: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (error instanceof BankopsError) {
    const status = error.httpStatus;
    if (status >= 500 && !SHOWN_5XX.has(error.code)) {
      return { status, body: { error: 'INTERNAL', message: 'internal error', requestId } };
    }
    const field = error.details?.['field'];
    return {
      status,
      body: {
        error: error.code,
        message: error.message,
        ...(typeof field === 'string' ? { field } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
        requestId,
      },
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code: ErrorCode =
      FASTIFY_CODES[fastifyError.code ?? ''] ??
      (status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'USAGE');
    const message =
      MESSAGES[code] ??
      (error instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
        ? `malformed JSON: ${fastifyError.message ?? ''}`
        : (fastifyError.message ?? 'bad request'));
    return { status, body: { error: code, message, requestId } };
  }
  return { status: 500, body: { error: 'INTERNAL', message: 'internal error', requestId } };
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The single error handler: a JSON body with a stable code, the field at fault, never a stack. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorBody(error, request.id);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status, code: body.error, field: body.field }, body.message);
    const field = body.field === undefined || body.message.startsWith(body.field) ? '' : `${body.field}: `;
    void reply
      .code(status)
      .send(request.routeOptions.config.oip === true ? { error: `${field}${body.message}` } : body);
  });
  const unmatched = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const url = request.url.split('?')[0] ?? '';
    // A route that exists under other methods answers 405 with the ones it has (RFC 9110 §15.5.6).
    const allowed = HTTP_METHODS.filter((method) => app.hasRoute({ url, method }));
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({
          error: 'METHOD_NOT_ALLOWED',
          message: `${request.method} is not allowed on ${url}; it answers ${allowed.join(', ')}`,
          requestId: request.id,
        } satisfies ErrorBody);
    }
    return reply.code(404).send({
      error: 'NOT_FOUND',
      message: `no route ${request.method} ${url}; see GET /openapi.json`,
      requestId: request.id,
    } satisfies ErrorBody);
  };
  // Answered before the body is read: a method that carries one (QUERY, PROPFIND) would otherwise meet the
  // content-type check first and get a 400 instead of 404 or 405.
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return unmatched(request, reply);
  });
  app.setNotFoundHandler(unmatched);
}
