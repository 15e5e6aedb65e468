// The nginx image's request handlers, run by njs 0.7 (nginx's JavaScript module): bundled into
// dist-nginx/cruddur.js by generate.ts from the same modules the Fastify server uses, so both
// decide alike. njs has no Node.js APIs, no URL class and no optional chaining: keep it plain.
import { apiConnectSource } from '../content-security-policy.ts';
import { NOT_HTTP_URL, httpOrigin } from '../http-origin.ts';
import {
  JSON_TYPE,
  SERVER_ERROR_BODY,
  isPageNavigation,
  notFoundBody,
  type ErrorBody,
  type RuntimeConfig,
} from '../responses.ts';

/** The part of njs's request object (ngx_http_js_module) these handlers use. */
interface NjsRequest {
  readonly method: string;
  readonly headersIn: Readonly<Record<string, string | undefined>>;
  readonly headersOut: Record<string, string | undefined>;
  readonly variables: Readonly<Record<string, string | undefined>>;
  return(status: number, body?: string): void;
  internalRedirect(uri: string): void;
  error(message: string): void;
}

/** BACKEND_URL as the Fastify server reads it: empty counts as unset. nginx.conf passes it (`env BACKEND_URL;`). */
function backendUrl(): string | undefined {
  const value = process.env.BACKEND_URL;
  return value === undefined || value === '' ? undefined : value;
}

/** `$cruddur_env_error`: why the environment is unusable, or '' (the server then answers every request with 500). */
function envError(): string {
  const url = backendUrl();
  return url !== undefined && httpOrigin(url) === undefined
    ? `BACKEND_URL=${JSON.stringify(url)} ${NOT_HTTP_URL}`
    : '';
}

/** `$cruddur_connect_source`: the API source in the page's `connect-src`, per request like the Fastify server's. */
function connectSource(r: NjsRequest): string {
  const url = backendUrl();
  return apiConnectSource(url === undefined ? undefined : httpOrigin(url), r.headersIn.Host);
}

function sendJson(r: NjsRequest, status: number, body: ErrorBody | RuntimeConfig): void {
  r.headersOut['Content-Type'] = JSON_TYPE;
  r.return(status, JSON.stringify(body));
}

/**
 * GET /config.json: where the page sends API calls. Only GET and HEAD get here: nginx.conf answers
 * every other method with the JSON 404 at the server level, before any location.
 */
function runtimeConfig(r: NjsRequest): void {
  const url = backendUrl();
  sendJson(r, 200, { backendUrl: url === undefined ? null : url });
}

/** No file matched: index.html for a page navigation, else a JSON 404. */
function notFound(r: NjsRequest): void {
  const target = r.variables.request_uri ?? '/';
  if (isPageNavigation(r.method, target, r.headersIn.Accept)) return r.internalRedirect('/index.html');
  sendJson(r, 404, notFoundBody(r.method, target));
}

function serverError(r: NjsRequest): void {
  const problem = envError();
  r.error(problem === '' ? 'request failed' : problem);
  sendJson(r, 500, SERVER_ERROR_BODY);
}

export default { envError, connectSource, runtimeConfig, notFound, serverError };
