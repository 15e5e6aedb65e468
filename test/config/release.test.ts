import { describe, expect, it } from 'vitest';
import { configProblems, cruddur } from '../fixtures.ts';

describe('release strategy in the config', () => {
  it('defaults every service to a rolling update with the alarm thresholds of docs/releases.md', () => {
    const backend = cruddur().services.find((s) => s.id === 'backend')!;
    expect(backend.release).toEqual({
      strategy: 'rolling',
      stepPercent: 100,
      stepMinutes: 0,
      bakeMinutes: 5,
      alarms: { errorRatePercent: 5, p99Ms: 2000, names: [] },
      verify: [],
    });
  });

  it('gives canary and linear their own step defaults, and keeps what the config says', () => {
    const config = cruddur((c) => {
      c.services.backend!.release = { strategy: 'canary', verify: [{ path: '/api/activities/home' }] };
      c.services.frontend!.release = { strategy: 'linear', stepPercent: 25 };
      return c;
    });
    const [backend, frontend] = ['backend', 'frontend'].map((id) =>
      config.services.find((s) => s.id === id)!,
    );
    expect(backend!.release).toMatchObject({
      strategy: 'canary',
      stepPercent: 10,
      stepMinutes: 5,
      verify: [{ method: 'GET', path: '/api/activities/home', status: 200 }],
    });
    expect(frontend!.release).toMatchObject({ strategy: 'linear', stepPercent: 25, stepMinutes: 2 });
  });

  it('refuses a traffic-shifting strategy on a service the load balancer does not route to', () => {
    expect(
      configProblems((c) => {
        delete c.services.backend.route;
        c.services.backend.release = { strategy: 'blue-green' };
      }),
    ).toContain(
      "services.backend.release.strategy: 'blue-green' shifts load balancer traffic, and this service has no route; use 'rolling' or give it a route",
    );
  });

  it('refuses step settings on a strategy that has no steps', () => {
    expect(
      configProblems((c) => (c.services.backend.release = { strategy: 'blue-green', stepPercent: 10 })),
    ).toEqual([
      "services.backend.release.stepPercent: applies to 'canary' and 'linear' only; remove it or change release.strategy",
    ]);
  });
});
