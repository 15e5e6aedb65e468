/** The parts of `window.location` the default depends on. */
export interface PageLocation {
  readonly protocol: string;
  readonly host: string;
}

/** What the frontend server publishes at `/config.json`, read from its environment at run time. */
export interface RuntimeConfig {
  readonly backendUrl?: string | null;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * The API's address when nothing is configured: the load balancer routes `api.<host>` to the
 * backend, so the frontend at https://example.com talks to https://api.example.com.
 */
export function defaultBackendUrl(location: PageLocation): string {
  return `${location.protocol}//api.${location.host}`;
}

/**
 * Picks the backend URL: a non-empty `backendUrl` from the runtime config wins, otherwise the
 * `api.` host rule. Anything that isn't a config object counts as no config.
 */
export function resolveBackendUrl(config: unknown, location: PageLocation): string {
  const configured = isRuntimeConfig(config) ? config.backendUrl?.trim() : undefined;
  return stripTrailingSlashes(configured || defaultBackendUrl(location));
}

/**
 * Fetches `/config.json` and resolves the backend URL from it. A missing, unreadable or
 * malformed config is not an error: the page falls back to the default rule.
 */
export async function loadBackendUrl(fetchFn: FetchLike, location: PageLocation): Promise<string> {
  let config: unknown;
  try {
    const response = await fetchFn('/config.json', {
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    config = response.ok ? await response.json() : undefined;
  } catch {
    config = undefined;
  }
  return resolveBackendUrl(config, location);
}

function isRuntimeConfig(value: unknown): value is RuntimeConfig {
  if (typeof value !== 'object' || value === null) return false;
  const { backendUrl } = value as { backendUrl?: unknown };
  return backendUrl === undefined || backendUrl === null || typeof backendUrl === 'string';
}

function stripTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}
