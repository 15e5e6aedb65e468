import { useCallback, useEffect, useMemo, useState } from 'react';

import { createApiClient } from './api/index.ts';
import { ApiStatus } from './components/api-status.tsx';
import { HomeFeed } from './components/home-feed.tsx';
import { PostForm } from './components/post-form.tsx';
import { loadBackendUrl, type FetchLike, type PageLocation } from './config/resolve-backend-url.ts';
import { useApiHealth, useHomeFeed } from './feed/index.ts';

export interface AppProps {
  /** @default the global `fetch` */
  readonly fetch?: FetchLike;
  /** @default `window.location` */
  readonly location?: PageLocation;
}

// Looked up at call time, so a test's stubbed global is the one used.
const globalFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

export function App({ fetch = globalFetch, location = window.location }: AppProps) {
  const [backendUrl, setBackendUrl] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    void loadBackendUrl(fetch, location).then((url) => {
      if (!cancelled) setBackendUrl(url);
    });
    return () => {
      cancelled = true;
    };
  }, [fetch, location]);

  return (
    <div className="page">
      <header className="masthead">
        <h1 className="masthead__title">Cruddur</h1>
        <p className="masthead__tagline">Micro-posts from the crew, newest first.</p>
      </header>
      {backendUrl === null ? (
        <main className="page__main">
          <p className="feed__note">Loading…</p>
        </main>
      ) : (
        <Connected backendUrl={backendUrl} fetch={fetch} />
      )}
    </div>
  );
}

function Connected({ backendUrl, fetch }: { readonly backendUrl: string; readonly fetch: FetchLike }) {
  const api = useMemo(() => createApiClient(backendUrl, fetch), [backendUrl, fetch]);
  const feed = useHomeFeed(api);
  const [healthKey, setHealthKey] = useState(0);
  const health = useApiHealth(api, healthKey);
  const { reload } = feed;
  const retry = useCallback(() => {
    reload();
    setHealthKey((n) => n + 1);
  }, [reload]);

  return (
    <>
      <main className="page__main">
        <PostForm api={api} onPosted={feed.prepend} />
        <HomeFeed feed={feed} onRetry={retry} />
      </main>
      <footer className="page__footer">
        <ApiStatus health={health} baseUrl={backendUrl} />
      </footer>
    </>
  );
}
