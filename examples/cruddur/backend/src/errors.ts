import { STATUS_CODES } from 'node:http';
import createError from '@fastify/error';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { BODY_LIMIT_BYTES, MAX_PARAM_LENGTH } from './limits.js';
import { describeValidation } from './validation.js';

/** The body of every error response. */
export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  /** The HTTP reason phrase, e.g. "Bad Request". */
  error: Type.String(),
  /** A sentence for people; names the field for validation errors. */
  message: Type.String(),
  /** Only for validation errors: field name -> what is wrong with it. */
  fields: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const ActivityNotFound = createError<[string]>(
  'CRUDDUR_ACTIVITY_NOT_FOUND',
  'No activity has id %s',
  404,
);

function errorBody(statusCode: number, message: string, fields?: Record<string, string>): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(fields && { fields }) };
}

// Fastify's own wording for these is about its internals; say what the client should send instead.
const CLIENT_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Content-Type must be application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: `The request body is larger than the ${BODY_LIMIT_BYTES} bytes allowed`,
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty; send a JSON object',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
  FST_ERR_BAD_URL: 'The URL is not correctly percent-encoded',
  FST_ERR_MAX_PARAM_LENGTH: `A path segment of the URL is longer than ${MAX_PARAM_LENGTH} characters`,
};

/**
 * The one error handler: details for client errors, a plain message for server errors. Also
 * Fastify's `frameworkErrors` hook, so a malformed URL gets the same body.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    const { message, fields } = describeValidation(error.validation, error.validationContext);
    return reply.code(400).send(errorBody(400, message, fields));
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.code(status).send(errorBody(status, CLIENT_MESSAGES[error.code] ?? error.message));
  }
  // With the request (headers redacted, src/logger.ts): a 5xx is rare and worth replaying.
  request.log.error({ err: error, req: request }, 'request failed');
  const serverStatus = status >= 500 && status < 600 ? status : 500;
  return reply
    .code(serverStatus)
    .send(errorBody(serverStatus, 'Something went wrong on our side; please try again later'));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0];
  return reply.code(404).send(errorBody(404, `No route matches ${request.method} ${path}`));
}
