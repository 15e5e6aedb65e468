import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  remoteRestart,
  up,
  type LocalEvent,
  type LocalRun,
  type LocalStatus,
  type RestartOptions,
} from '../../src/local/index.ts';

import { renderStatus } from '../../src/cli/local-render.ts';
import { alive, cleanup, flipConfig, taskPids, tempDir } from './helpers.ts';
import { wrkDuring, type WrkResult } from './wrk.ts';

const RELEASE_SERVER = path.join(import.meta.dirname, 'fixtures/release-server.mjs');

/**
 * One `berth up` for the file: `web` runs the release server twice; each test writes the
 * behaviour the next tasks start with, then restarts `web` through the control endpoint (as
 * `berth restart web` does, events streamed) while wrk sends requests through the edge.
 * Steps and bake are seconds here (--step-seconds, --bake-seconds), not the config's minutes.
 */
describe('berth restart with a release strategy, under load through the edge', () => {
  const dir = tempDir('release');
  const behaviourFile = path.join(dir, 'behaviour.json');
  let run: LocalRun;
  const pids: number[] = [];

  const behave = (behaviour: Record<string, unknown>) =>
    writeFileSync(behaviourFile, JSON.stringify(behaviour));
  const webTasks = (status: LocalStatus = run.status()) => status.services.find((s) => s.id === 'web')!.tasks;
  /** What the tasks' logs say they were sent, by task id (health checks are not logged). */
  const requestsSeenBy = (ids: readonly string[]) =>
    Object.fromEntries(
      ids.map((id) => [
        id,
        readFileSync(path.join(run.paths.logs, `${id}.log`), 'utf8')
          .split('\n')
          .filter(Boolean),
      ]),
    );

  /**
   * Restarts `web` under load; the events it streamed, its outcome, wrk's report, and what
   * `status` said right after each event.
   */
  async function restartUnderLoad(restart: RestartOptions) {
    const events: LocalEvent[] = [];
    const statuses: LocalStatus[] = [];
    const https = new URL(run.status().edge.https).port;
    const { outcome, coveredByLoad, result } = await wrkDuring(
      `https://127.0.0.1:${https}/load`,
      { host: `flip.localhost:${https}` },
      () =>
        remoteRestart(run.paths, 'web', {
          restart,
          onEvent: (e) => {
            events.push(e);
            statuses.push(run.status());
          },
        }),
    );
    if (outcome.status === 'fulfilled') pids.push(...taskPids(outcome.value));
    pids.push(...taskPids(run.status()));
    return { events, statuses, outcome, coveredByLoad, result };
  }

  const codes = (events: readonly LocalEvent[]) =>
    events.filter((e) => e.code.startsWith('release.')).map((e) => e.code);
  const report = (what: string, r: WrkResult) =>
    console.log(
      `${what}: wrk sent ${r.requests} requests (${Math.round(r.requestsPerSecond)}/s), non-2xx ${r.non2xx}, socket errors ${JSON.stringify(r.socketErrors)}`,
    );
  const noFailedRequest = (r: WrkResult) => {
    expect(r.requests).toBeGreaterThan(100);
    expect(r.non2xx).toBe(0);
    expect(r.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
  };

  /**
   * Restarts web as a canary whose green is bad as `behaviour` says, under load; checks that it was
   * rolled back (the error, the release's stages) and that blue's tasks still serve; returns the
   * rollback's data and wrk's report.
   */
  async function rolledBackCanary(
    what: string,
    behaviour: Record<string, unknown>,
    stepSeconds: number,
    message: RegExp,
  ) {
    const before = webTasks().map((t) => t.id);
    behave(behaviour);
    const { events, outcome, result } = await restartUnderLoad({
      strategy: 'canary',
      stepSeconds,
      bakeSeconds: 1,
    });
    report(what, result);
    expect(outcome.status).toBe('rejected');
    const error = (outcome as PromiseRejectedResult).reason as Error;
    console.log(error.message);
    expect(error.message).toMatch(message);
    expect(codes(events)).toEqual([
      'release.start',
      'release.test-traffic',
      'release.shift',
      'release.rolled-back',
    ]);
    expect(webTasks().map((t) => t.id)).toEqual(before);
    return { rolledBack: events.find((e) => e.code === 'release.rolled-back')!.data!, result };
  }

  beforeAll(async () => {
    behave({ version: 'v1' });
    run = await up(
      flipConfig(dir, {
        local: { command: [process.execPath, RELEASE_SERVER] },
        environment: { RELEASE_FILE: behaviourFile },
        release: {
          strategy: 'blue-green',
          bakeMinutes: 1,
          alarms: { errorRatePercent: 5, p99Ms: 2000 },
          verify: [{ path: '/verify', status: 200, bodyContains: '"version"' }],
        },
      }),
      { scale: { web: 2 }, httpPort: 0, httpsPort: 0, discoveryPorts: 'free', healthIntervalMs: 100 },
    );
    pids.push(...taskPids(run.status()));
  });

  afterAll(async () => {
    await run?.stop();
    cleanup(dir, pids);
  });

  it("blue-green (the config's strategy): green verified, all traffic moved at once, blue stopped after the bake; no request fails", async () => {
    const before = webTasks().map((t) => t.id);
    behave({ version: 'v2' });
    const { events, outcome, coveredByLoad, result } = await restartUnderLoad({ bakeSeconds: 1 });
    report('blue-green', result);
    expect(outcome.status, String((outcome as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(coveredByLoad).toBe(true);
    noFailedRequest(result);
    expect(codes(events)).toEqual([
      'release.start',
      'release.test-traffic',
      'release.shift',
      'release.bake',
      'release.done',
    ]);
    expect(events.find((e) => e.code === 'release.shift')!.data).toMatchObject({ greenPercent: 100 });
    const after = webTasks();
    expect(after.map((t) => t.health)).toEqual(['healthy', 'healthy']);
    expect(after.some((t) => before.includes(t.id))).toBe(false);
    // Green got the verifier's request before any production request.
    const seen = requestsSeenBy(after.map((t) => t.id));
    expect(Object.values(seen).map((lines) => lines[0])).toContainEqual(
      expect.stringMatching(/^GET \/verify berth-verifier/),
    );
  });

  it('canary (--strategy): 10 % to green for a step, then the rest; both fleets served, no request fails', async () => {
    const before = webTasks().map((t) => t.id);
    behave({ version: 'v3' });
    const { events, statuses, outcome, coveredByLoad, result } = await restartUnderLoad({
      strategy: 'canary',
      stepSeconds: 2,
      bakeSeconds: 1,
    });
    report('canary', result);
    expect(outcome.status, String((outcome as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(coveredByLoad).toBe(true);
    noFailedRequest(result);
    const shifts = events.filter((e) => e.code === 'release.shift').map((e) => e.data?.greenPercent);
    expect(shifts).toEqual([10, 100]); // the canary default step: the config's strategy is blue-green
    const counts = events.find((e) => e.code === 'release.done')!.data!.counts as {
      green: { requests: number };
      blue: { requests: number };
    };
    expect(counts.green.requests).toBeGreaterThan(0);
    expect(counts.blue.requests).toBeGreaterThan(0);
    expect(webTasks().some((t) => before.includes(t.id))).toBe(false);
    // status during the step: the split and each fleet; after the release, plain tasks again.
    const during = statuses[events.findIndex((e) => e.code === 'release.shift')]!.services[0]!;
    expect(during.release).toEqual({ strategy: 'canary', stage: 'shifting', greenPercent: 10 });
    expect(during.tasks.filter((t) => t.green).map((t) => t.health)).toEqual(['healthy', 'healthy']);
    expect(during.tasks.filter((t) => !t.green).map((t) => t.id)).toEqual(before);
    expect(renderStatus(statuses[events.findIndex((e) => e.code === 'release.shift')]!)).toMatch(
      /^web: canary release, shifting: 10% of requests on green \(web-\d+, web-\d+\), the rest on blue \(web-\d+, web-\d+\)$/m,
    );
    expect(run.status().services[0]!.release).toBeUndefined();
    expect(webTasks().some((t) => t.green)).toBe(false);
  });

  it('linear (--strategy, --step-percent): 50 % more each step; no request fails', async () => {
    behave({ version: 'v3b' });
    const { events, outcome, coveredByLoad, result } = await restartUnderLoad({
      strategy: 'linear',
      stepPercent: 50,
      stepSeconds: 1,
      bakeSeconds: 0,
    });
    report('linear', result);
    expect(outcome.status, String((outcome as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(coveredByLoad).toBe(true);
    noFailedRequest(result);
    expect(events.filter((e) => e.code === 'release.shift').map((e) => e.data?.greenPercent)).toEqual([
      50, 100,
    ]);
  });

  it('a release that answers 500 on a verify route is stopped before any production request reaches it', async () => {
    const before = webTasks().map((t) => t.id);
    behave({ version: 'v4-bad', verifyStatus: 500 });
    const { events, outcome, result } = await restartUnderLoad({});
    report('failed verify', result);
    expect(outcome.status).toBe('rejected');
    const error = (outcome as PromiseRejectedResult).reason as Error;
    expect(error.message).toMatch(
      /^web: green failed GET \/verify on the test listener: it answered 500, expected 200: .*no production request reached green/,
    );
    // Blue served everything, and keeps serving.
    noFailedRequest(result);
    expect(codes(events)).toEqual(['release.start', 'release.test-traffic', 'release.verify-failed']);
    expect(webTasks().map((t) => t.id)).toEqual(before);
    // The green tasks saw the verifier and nothing else: wrk's /load never reached them.
    const greens = events.filter((e) => e.code === 'task.starting').map((e) => e.data!.task as string);
    expect(greens).toHaveLength(2);
    const seen = Object.values(requestsSeenBy(greens)).flat();
    expect(seen).toEqual([expect.stringMatching(/^GET \/verify berth-verifier/)]);
  });

  it('a canary whose 5xx rate crosses the alarm is rolled back, with the request counts', async () => {
    const { rolledBack, result } = await rolledBackCanary(
      'rolled-back canary',
      { version: 'v5-bad', errorEvery: 2 },
      30,
      /^rolled back web at 10% on green: 5xx rate [\d.]+ % > 5 % \(green in the last 1 min: \d+ requests, \d+ 5xx, p99 [\d.]+ ms; whole release: green \d+ requests, \d+ 5xx; blue \d+ requests, 0 5xx\); all traffic is on blue again and green is stopped$/,
    );
    expect(rolledBack.alarms).toEqual([expect.objectContaining({ alarm: '5xx rate', threshold: 5 })]);
    // Rolled back well before the 30 s step was over, and only green's 500s failed.
    expect(result.seconds).toBeLessThan(20);
    expect(result.non2xx).toBeGreaterThan(0);
    expect(result.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
    const counts = rolledBack.counts as { green: { errors: number }; blue: { errors: number } };
    expect(result.non2xx).toBe(counts.green.errors);
  });

  it('a canary whose p99 crosses the alarm is rolled back, though green fails no request', async () => {
    // Every answer of green takes 2.5 s, over the config's p99Ms of 2000 (and under wrk's 5 s timeout).
    const { rolledBack, result } = await rolledBackCanary(
      'rolled-back slow canary',
      { version: 'v5-slow', delayMs: 2_500 },
      60,
      /^rolled back web at 10% on green: p99 latency 2[\d.]+ ms > 2000 ms \(green in the last 1 min: \d+ requests, 0 5xx, p99 2[\d.]+ ms; whole release: green \d+ requests, 0 5xx; blue \d+ requests, 0 5xx\); all traffic is on blue again and green is stopped$/,
    );
    expect(rolledBack.alarms).toEqual([
      expect.objectContaining({ alarm: 'p99 latency', threshold: 2000, unit: 'ms' }),
    ]);
    // The alarm, not the 60 s step, ended it; and slow is not failed: every request was answered.
    expect(result.seconds).toBeLessThan(40);
    expect(result.non2xx).toBe(0);
  });

  // Last: it ends the run.
  it('a stop during a release ends it: the restart fails saying so, and no task is left', async () => {
    behave({ version: 'v6' });
    const shifted = new Promise<void>((resolve) => {
      const unsubscribe = run.subscribe((e) => {
        if (e.code !== 'release.shift') return;
        unsubscribe();
        resolve();
      });
    });
    const restarting = run.restart('web', { strategy: 'canary', stepSeconds: 60 }).catch((err: Error) => err);
    await shifted;
    pids.push(...taskPids(run.status()));
    await run.stop();
    const error = await restarting;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('the run stopped during the release of web; nothing was released');
    expect(run.status().services[0]!.tasks).toEqual([]);
    expect(pids.filter((pid) => alive(pid))).toEqual([]);
  });
});
