import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ActivityNotFound, ErrorBody } from '../errors.js';
import { ACTIVITY_ID_PATTERN, type ActivityStore } from '../store/index.js';

const ActivityId = Type.String({
  pattern: ACTIVITY_ID_PATTERN,
  errorMessage: { pattern: 'must be an activity id: 26 characters of 0-9 and A-Z, as the API returns them' },
});

const Activity = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  message: Type.String(),
  createdAt: Type.String(),
});

const HomeQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  before: Type.Optional(ActivityId),
});

// Unknown properties are rejected rather than stripped, so a misspelt field is an error, not data loss.
const NewActivityBody = Type.Object(
  {
    handle: Type.String({
      pattern: '^[a-z0-9_]{3,20}$',
      errorMessage: { pattern: 'must be 3 to 20 characters of a-z, 0-9 and _' },
    }),
    // Control characters and lone surrogates (invalid UTF-16) would be stored verbatim and break
    // rendering or DynamoDB's UTF-8 encoding; tabs and line breaks are fine.
    message: Type.String({
      minLength: 1,
      maxLength: 280,
      pattern: '^(?:[^\\p{Cc}\\p{Cs}]|[\\t\\n\\r])*$',
      errorMessage: { pattern: 'must not contain control characters or invalid Unicode' },
    }),
  },
  { additionalProperties: false },
);

const errors = { '4xx': ErrorBody, '5xx': ErrorBody };

export interface ActivityRoutesOptions {
  readonly store: ActivityStore;
}

export const activityRoutes: FastifyPluginAsyncTypebox<ActivityRoutesOptions> = async (app, { store }) => {
  app.get(
    '/api/activities/home',
    {
      schema: {
        querystring: HomeQuery,
        response: {
          200: Type.Object({
            activities: Type.Array(Activity),
            nextBefore: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => store.list(request.query),
  );

  app.get(
    '/api/activities/:id',
    { schema: { params: Type.Object({ id: ActivityId }), response: { 200: Activity, ...errors } } },
    async (request) => {
      const activity = await store.get(request.params.id);
      if (activity === undefined) throw new ActivityNotFound(request.params.id);
      return activity;
    },
  );

  app.post(
    '/api/activities',
    {
      schema: { body: NewActivityBody, response: { 201: Activity, ...errors } },
      // The length limits are about what is stored, so trim before the schema counts characters.
      preValidation: async (request) => {
        const body: unknown = request.body;
        if (
          typeof body === 'object' &&
          body !== null &&
          'message' in body &&
          typeof body.message === 'string'
        ) {
          body.message = body.message.trim();
        }
      },
    },
    async (request, reply) => {
      const activity = await store.create(request.body);
      return reply.code(201).header('location', `/api/activities/${activity.id}`).send(activity);
    },
  );
};
