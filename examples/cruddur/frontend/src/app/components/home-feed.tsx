import type { HomeFeedControls } from '../feed/index.ts';
import { ActivityItem } from './activity-item.tsx';

export interface HomeFeedProps {
  readonly feed: HomeFeedControls;
  /** Called by the retry button, so the page can re-check more than the feed. */
  readonly onRetry: () => void;
}

export function HomeFeed({ feed, onRetry }: HomeFeedProps) {
  return (
    <section className="card feed" aria-labelledby="feed-heading" aria-busy={feed.status === 'loading'}>
      <h2 id="feed-heading">Home</h2>
      <FeedBody feed={feed} onRetry={onRetry} />
    </section>
  );
}

function FeedBody({ feed, onRetry }: HomeFeedProps) {
  if (feed.status === 'error') {
    return (
      <div className="feed__error" role="alert">
        <p className="feed__error-title">The feed couldn&apos;t be loaded.</p>
        <p className="feed__error-detail">{feed.error}</p>
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      </div>
    );
  }
  if (feed.status === 'loading' && feed.activities.length === 0) {
    return <p className="feed__note">Loading activities…</p>;
  }
  if (feed.activities.length === 0) {
    return <p className="feed__note">No activities yet. Be the first to post.</p>;
  }
  return (
    <>
      <ol className="feed__list" aria-label="Activities, newest first">
        {feed.activities.map((activity) => (
          <li key={activity.id}>
            <ActivityItem activity={activity} />
          </li>
        ))}
      </ol>
      <div className="feed__more">
        {feed.loadMoreError && (
          <p className="feed__more-error" role="alert">
            Couldn&apos;t load more: {feed.loadMoreError}
          </p>
        )}
        {feed.hasMore ? (
          <button
            type="button"
            className="button button--secondary"
            onClick={feed.loadMore}
            disabled={feed.loadingMore}
          >
            {feed.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        ) : (
          <p className="feed__note">You&apos;re all caught up.</p>
        )}
      </div>
    </>
  );
}
