import type { ApiHealth } from '../feed/index.ts';

const labels: Record<ApiHealth, string> = {
  checking: 'checking…',
  healthy: 'healthy',
  unreachable: 'unreachable',
};

export function ApiStatus({ health, baseUrl }: { readonly health: ApiHealth; readonly baseUrl: string }) {
  return (
    <p className="api-status" role="status">
      <span className={`api-status__dot api-status__dot--${health}`} aria-hidden="true" />
      <span>API: {labels[health]}</span>
      <span className="api-status__url">{baseUrl}</span>
    </p>
  );
}
