import { useCallback, useEffect, useReducer, useState } from 'react';

import type { Activity, ActivityPage, ApiClient } from '../api/index.ts';

export const PAGE_SIZE = 20;

export interface HomeFeed {
  /** `loading` until the first page arrives; `error` when it could not be loaded. */
  readonly status: 'loading' | 'ready' | 'error';
  /** Newest first. */
  readonly activities: readonly Activity[];
  readonly hasMore: boolean;
  readonly error: string | null;
  readonly loadingMore: boolean;
  readonly loadMoreError: string | null;
}

export interface HomeFeedControls extends HomeFeed {
  /** Loads the first page again, e.g. after the backend was down. */
  reload(): void;
  loadMore(): void;
  /** Puts an activity the user just posted at the top. */
  prepend(activity: Activity): void;
}

interface State extends HomeFeed {
  readonly nextBefore: string | null;
}

type Action =
  | { readonly type: 'load-start' }
  | { readonly type: 'load-ok'; readonly page: ActivityPage }
  | { readonly type: 'load-failed'; readonly error: string }
  | { readonly type: 'more-start' }
  | { readonly type: 'more-ok'; readonly page: ActivityPage }
  | { readonly type: 'more-failed'; readonly error: string }
  | { readonly type: 'prepend'; readonly activity: Activity };

const initialState: State = {
  status: 'loading',
  activities: [],
  nextBefore: null,
  hasMore: false,
  error: null,
  loadingMore: false,
  loadMoreError: null,
};

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'load-start':
      return { ...state, status: 'loading', error: null, loadMoreError: null };
    case 'load-ok':
      return {
        ...initialState,
        status: 'ready',
        activities: action.page.activities,
        nextBefore: action.page.nextBefore,
        hasMore: action.page.nextBefore !== null,
      };
    case 'load-failed':
      return { ...state, status: 'error', error: action.error };
    case 'more-start':
      return { ...state, loadingMore: true, loadMoreError: null };
    case 'more-ok':
      return {
        ...state,
        loadingMore: false,
        activities: mergeById(state.activities, action.page.activities),
        nextBefore: action.page.nextBefore,
        hasMore: action.page.nextBefore !== null,
      };
    case 'more-failed':
      return { ...state, loadingMore: false, loadMoreError: action.error };
    case 'prepend':
      return { ...state, activities: mergeById([action.activity], state.activities) };
  }
}

// A post made on this page can also arrive in a later page fetch; show it once.
function mergeById(first: readonly Activity[], second: readonly Activity[]): Activity[] {
  const seen = new Set(first.map((activity) => activity.id));
  return [...first, ...second.filter((activity) => !seen.has(activity.id))];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function useHomeFeed(api: ApiClient): HomeFeedControls {
  const [state, dispatch] = useReducer(reducer, initialState);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    dispatch({ type: 'load-start' });
    api.listHome({ limit: PAGE_SIZE, signal: controller.signal }).then(
      (page) => dispatch({ type: 'load-ok', page }),
      (error: unknown) => {
        if (!controller.signal.aborted) dispatch({ type: 'load-failed', error: errorMessage(error) });
      },
    );
    return () => controller.abort();
  }, [api, generation]);

  const { nextBefore, loadingMore } = state;
  const loadMore = useCallback(() => {
    if (nextBefore === null || loadingMore) return;
    dispatch({ type: 'more-start' });
    api.listHome({ limit: PAGE_SIZE, before: nextBefore }).then(
      (page) => dispatch({ type: 'more-ok', page }),
      (error: unknown) => dispatch({ type: 'more-failed', error: errorMessage(error) }),
    );
  }, [api, nextBefore, loadingMore]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const prepend = useCallback((activity: Activity) => dispatch({ type: 'prepend', activity }), []);

  return {
    status: state.status,
    activities: state.activities,
    hasMore: state.hasMore,
    error: state.error,
    loadingMore: state.loadingMore,
    loadMoreError: state.loadMoreError,
    reload,
    loadMore,
    prepend,
  };
}
