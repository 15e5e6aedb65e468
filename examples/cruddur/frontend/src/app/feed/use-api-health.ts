import { useEffect, useState } from 'react';

import type { ApiClient } from '../api/index.ts';

export type ApiHealth = 'checking' | 'healthy' | 'unreachable';

/** How often the footer re-checks the backend while the page is open. */
export const HEALTH_POLL_MS = 30_000;

/**
 * Tracks the backend's health check. Changing `recheckKey` checks again at once
 * (the feed's retry button does that).
 */
export function useApiHealth(api: ApiClient, recheckKey: number): ApiHealth {
  const [health, setHealth] = useState<ApiHealth>('checking');

  useEffect(() => {
    const controller = new AbortController();
    const check = () =>
      api.isHealthy(controller.signal).then((healthy) => {
        if (!controller.signal.aborted) setHealth(healthy ? 'healthy' : 'unreachable');
      });
    void check();
    const timer = setInterval(() => void check(), HEALTH_POLL_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [api, recheckKey]);

  return health;
}
