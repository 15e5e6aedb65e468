import { Ajv, type ErrorObject, type Options } from 'ajv';
import ajvErrorsModule from 'ajv-errors';
import type { FastifySchemaCompiler } from 'fastify';

// Two validators instead of Fastify's one: query strings and path parameters arrive as text and need
// coercing ("20" -> 20), but a JSON body must be taken as sent, or `"handle": 123` would pass as "123".
// allErrors reports every bad field at once, for the form; it is safe with these small schemas and a
// 16 KiB body limit.
// A CommonJS package: its function is `.default` from an ES module.
const ajvErrors = ajvErrorsModule.default;
const shared: Options = { allErrors: true, useDefaults: true, removeAdditional: false };
const forBody = ajvErrors(new Ajv({ ...shared, coerceTypes: false }));
const forText = ajvErrors(new Ajv({ ...shared, coerceTypes: true }));

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? forBody : forText).compile(schema);

export interface ValidationProblem {
  /** A sentence naming every bad field. */
  readonly message: string;
  /** Field name to what is wrong with it, e.g. `{ handle: 'is required' }`. */
  readonly fields: Record<string, string>;
}

const PART_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'headers',
};

/** Turns Ajv's errors into field names and short phrases a person can act on. */
export function describeValidation(
  errors: readonly ErrorObject[],
  part: string | undefined,
): ValidationProblem {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    const field = fieldOf(error) ?? PART_NAMES[part ?? ''] ?? 'request';
    fields[field] ??= problemOf(error);
  }
  const message = Object.entries(fields)
    .map(([field, problem]) => `${field} ${problem}`)
    .join('; ');
  return { message, fields };
}

function fieldOf(error: ErrorObject): string | undefined {
  if (error.keyword === 'required') return String(error.params.missingProperty);
  if (error.keyword === 'additionalProperties') return String(error.params.additionalProperty);
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  return path.length === 0 ? undefined : path.join('.');
}

function problemOf(error: ErrorObject): string {
  const { keyword, params } = error;
  switch (keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not allowed';
    case 'type':
      return params.type === 'integer' || params.type === 'object' || params.type === 'array'
        ? `must be an ${params.type}`
        : `must be a ${params.type}`;
    case 'minimum':
      return `must be at least ${params.limit}`;
    case 'maximum':
      return `must be at most ${params.limit}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters`;
    case 'maxLength':
      return `must be at most ${params.limit} characters`;
    default:
      // Schemas phrase anything else themselves through `errorMessage` (ajv-errors).
      return error.message ?? 'is invalid';
  }
}
