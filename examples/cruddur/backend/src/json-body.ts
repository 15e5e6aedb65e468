import createError from '@fastify/error';
import type { FastifyInstance } from 'fastify';

/** A JSON body that parses, but holds a key Fastify refuses because it could pollute prototypes. */
export const ForbiddenJsonKey = createError(
  'CRUDDUR_FORBIDDEN_JSON_KEY',
  'The request body has a "__proto__" or "constructor.prototype" key, which is refused (it could change how the server behaves); rename it',
  400,
);

/**
 * Fastify's JSON parser, with one difference in what it says: it calls a body with a `__proto__`
 * or `constructor.prototype` key "not valid JSON", which it is; the client is told what was refused.
 */
export function useJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (error: Error | null, value?: unknown) => {
      if (
        (error as { code?: string } | null)?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' &&
        isJson(body as string)
      )
        return done(new ForbiddenJsonKey(), undefined);
      done(error, value);
    });
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
