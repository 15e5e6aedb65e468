import { ApiError } from './api-error.ts';
import type { Activity, ActivityPage, FieldErrors, NewActivity } from './types.ts';
import type { FetchLike } from '../config/resolve-backend-url.ts';

export interface ListHomeOptions {
  /** Cursor from the previous page's `nextBefore`; omit for the newest page. */
  readonly before?: string | null;
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

/** The backend's API, as the page uses it. */
export interface ApiClient {
  readonly baseUrl: string;
  /** Resolves true when the backend answers its health check, false otherwise; never throws. */
  isHealthy(signal?: AbortSignal): Promise<boolean>;
  listHome(options?: ListHomeOptions): Promise<ActivityPage>;
  postActivity(activity: NewActivity): Promise<Activity>;
}

export function createApiClient(baseUrl: string, fetchFn: FetchLike): ApiClient {
  async function request(path: string, init: RequestInit = {}): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchFn(`${baseUrl}${path}`, {
        ...init,
        headers: { Accept: 'application/json', ...init.headers },
      });
    } catch (cause) {
      if (init.signal?.aborted) throw cause;
      throw new ApiError(`Can't reach the API at ${baseUrl}.`, { kind: 'network', cause });
    }
    const body = await readJson(response);
    if (!response.ok) throw httpError(response.status, body);
    return body;
  }

  return {
    baseUrl,

    async isHealthy(signal) {
      try {
        const body = await request('/api/health-check', { signal });
        return isObject(body) && body.success === true;
      } catch {
        return false;
      }
    },

    async listHome({ before, limit, signal } = {}) {
      const query = new URLSearchParams();
      if (limit !== undefined) query.set('limit', String(limit));
      if (before) query.set('before', before);
      const search = query.toString();
      const body = await request(`/api/activities/home${search ? `?${search}` : ''}`, { signal });
      if (!isActivityPage(body)) throw invalidResponse('the home feed');
      return { activities: body.activities, nextBefore: body.nextBefore ?? null };
    },

    async postActivity(activity) {
      const body = await request('/api/activities', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(activity),
      });
      if (!isActivity(body)) throw invalidResponse('the new activity');
      return body;
    },
  };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function httpError(status: number, body: unknown): ApiError {
  const message =
    isObject(body) && typeof body.message === 'string' && body.message
      ? body.message
      : `The API answered ${status}.`;
  return new ApiError(message, { kind: 'http', status, fields: fieldErrors(body) });
}

function fieldErrors(body: unknown): FieldErrors {
  if (!isObject(body) || !isObject(body.fields)) return {};
  const { handle, message } = body.fields;
  return {
    ...(typeof handle === 'string' ? { handle } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

function invalidResponse(what: string): ApiError {
  return new ApiError(`The API sent ${what} in a shape this page doesn't understand.`, {
    kind: 'invalid-response',
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isActivity(value: unknown): value is Activity {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.handle === 'string' &&
    typeof value.message === 'string' &&
    typeof value.createdAt === 'string'
  );
}

// A missing `nextBefore` is read as "no more pages" rather than as a broken response.
function isActivityPage(
  value: unknown,
): value is Omit<ActivityPage, 'nextBefore'> & { nextBefore?: string | null } {
  return (
    isObject(value) &&
    Array.isArray(value.activities) &&
    value.activities.every(isActivity) &&
    (value.nextBefore === undefined || value.nextBefore === null || typeof value.nextBefore === 'string')
  );
}
