import type { Activity } from '../api/index.ts';
import { RelativeTime } from './relative-time.tsx';

export function ActivityItem({ activity }: { readonly activity: Activity }) {
  return (
    <article className="activity" aria-labelledby={`activity-${activity.id}-handle`}>
      <header className="activity__meta">
        <span className="activity__avatar" aria-hidden="true">
          {activity.handle.charAt(0).toUpperCase()}
        </span>
        <span className="activity__handle" id={`activity-${activity.id}-handle`}>
          @{activity.handle}
        </span>
        <span className="activity__time">
          <RelativeTime iso={activity.createdAt} />
        </span>
      </header>
      <p className="activity__message">{activity.message}</p>
    </article>
  );
}
