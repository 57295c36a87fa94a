import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { ErrorBody } from '../schemas/record.js';

/** The app as routes see it: request and reply types come from the routes' TypeBox schemas. */
export type ServingApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Error responses every scoring route may give, for the OpenAPI document and the serializer. */
export const ERROR_RESPONSES = { '4xx': ErrorBody, '5xx': ErrorBody };
export const SECURED = [{ bearer: [] as string[] }];

/** The `x-customer-key` header, when sent once. */
export function headerCustomerKey(request: FastifyRequest): string | undefined {
  const value = request.headers['x-customer-key'];
  return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : undefined;
}

/** When the request arrived (performance.now() clock), for the latency recorded in prediction events. */
export function arrivedAt(reply: FastifyReply): number {
  return performance.now() - reply.elapsedTime;
}
