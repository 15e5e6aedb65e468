export { useApiHealth, HEALTH_POLL_MS, type ApiHealth } from './use-api-health.ts';
export { useHomeFeed, PAGE_SIZE, type HomeFeed, type HomeFeedControls } from './use-home-feed.ts';
