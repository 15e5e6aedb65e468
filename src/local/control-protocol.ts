import type { LocalEvent } from './events.ts';
import type { LocalStatus } from './status.ts';

/*
 * The running supervisor's control endpoint, as its server (control-server.ts) and its client
 * (control.ts) both speak it: `GET /status`, `POST /restart/<service>` (a JSON body of restart
 * options; streamed as NDJSON when asked) and `POST /stop`, with the bearer token from the record.
 */

/** What a streamed restart answers, one JSON object a line: events, then the outcome. */
export type RestartLine =
  | { readonly event: LocalEvent }
  | { readonly alive: true }
  | { readonly status: LocalStatus }
  | { readonly error: string; readonly kind?: string; readonly service?: string };

export type Outcome = Exclude<RestartLine, { event: LocalEvent } | { alive: true }>;

export const NDJSON = 'application/x-ndjson';
/** How often a streamed restart says it is still at work, between its events. */
export const HEARTBEAT_MS = 5_000;
