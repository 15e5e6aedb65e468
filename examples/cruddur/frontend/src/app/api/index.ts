export { ApiError, type ApiErrorKind } from './api-error.ts';
export { createApiClient, type ApiClient, type ListHomeOptions } from './client.ts';
export type { Activity, ActivityPage, FieldErrors, NewActivity } from './types.ts';
