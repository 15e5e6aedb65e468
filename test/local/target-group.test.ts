import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TargetGroup, type Target } from '../../src/local/edge/target-group.ts';
import { closeServer, listen } from '../../src/shared/net.ts';

// Waiting for a task to become healthy, as the supervisor does before a task takes traffic: the
// wait ends on the health change itself, and a target that leaves or a group that closes ends it too.
describe('waiting for a target to become healthy', () => {
  let status = 200;
  const server = http.createServer((_req, res) => {
    res.statusCode = status;
    res.end();
  });
  let port = 0;
  const settings = {
    path: '/health',
    intervalMs: 60_000,
    initialIntervalMs: 50,
    timeoutMs: 1_000,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
  };

  beforeAll(async () => {
    await listen(server, 0, '127.0.0.1');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await closeServer(server);
  });

  const groups: TargetGroup[] = [];
  afterEach(() => {
    for (const group of groups.splice(0)) group.close();
  });

  /** A group with one target, `t1`, whose health check answers `answer` from now on. */
  function groupWith(name: string, answer: number): { group: TargetGroup; target: Target } {
    status = answer;
    const group = new TargetGroup(name, settings);
    groups.push(group);
    return { group, target: group.register({ id: 't1', host: '127.0.0.1', port }) };
  }

  it('resolves once the target has passed healthyThreshold checks', async () => {
    const { group, target } = groupWith('ok', 200);
    await group.waitHealthy('t1', 10_000);
    expect(target.health).toBe('healthy');
    expect(target.passes).toBe(2);
  });

  it('rejects after the timeout with the last failure', async () => {
    const { group } = groupWith('failing', 500);
    await expect(group.waitHealthy('t1', 400)).rejects.toThrow(
      't1 did not pass 2 health checks on /health within 0 s (last: /health answered 500)',
    );
  });

  it('rejects as soon as the target is taken out, not at the timeout', async () => {
    const { group } = groupWith('leaving', 500);
    const started = Date.now();
    const waiting = group.waitHealthy('t1', 20_000);
    await group.deregister('t1', 0);
    await expect(waiting).rejects.toThrow('t1 did not pass 2 health checks');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('rejects at once for a target that is already draining its last requests', async () => {
    const { group, target } = groupWith('draining', 200);
    target.inFlight = 1; // a request still on its way: the target stays in the group while it drains
    const draining = group.deregister('t1', 60_000);
    // The wait's own timeout is well inside the test's: only an early rejection passes in time.
    const started = Date.now();
    await expect(group.waitHealthy('t1', 20_000)).rejects.toThrow('t1 did not pass 2 health checks');
    expect(Date.now() - started).toBeLessThan(1_000);
    group.finished(target);
    expect(await draining).toEqual({ drained: true });
  });

  it('rejects when the group closes', async () => {
    const { group } = groupWith('closing', 500);
    const started = Date.now();
    const waiting = group.waitHealthy('t1', 20_000);
    group.close();
    await expect(waiting).rejects.toThrow('t1 did not pass 2 health checks');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('rejects at once for a target that is not registered', async () => {
    const group = new TargetGroup('empty', settings);
    await expect(group.waitHealthy('nope', 1_000)).rejects.toThrow('nope is not registered in empty');
  });
});
