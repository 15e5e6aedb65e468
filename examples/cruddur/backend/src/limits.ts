/** Largest request body read; a post is a handle and 280 characters, so 16 KiB is generous. */
export const BODY_LIMIT_BYTES = 16_384;

/** Longest path parameter routed; an activity id is 26 characters. */
export const MAX_PARAM_LENGTH = 100;
