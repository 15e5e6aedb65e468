import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetGroup } from '../../src/local/edge/target-group.ts';
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

  it('resolves once the target has passed healthyThreshold checks', async () => {
    status = 200;
    const group = new TargetGroup('ok', settings);
    group.register({ id: 't1', host: '127.0.0.1', port });
    try {
      await group.waitHealthy('t1', 10_000);
      expect(group.get('t1')!.health).toBe('healthy');
      expect(group.get('t1')!.passes).toBe(2);
    } finally {
      group.close();
    }
  });

  it('rejects after the timeout with the last failure', async () => {
    status = 500;
    const group = new TargetGroup('failing', settings);
    group.register({ id: 't1', host: '127.0.0.1', port });
    try {
      await expect(group.waitHealthy('t1', 400)).rejects.toThrow(
        't1 did not pass 2 health checks on /health within 0 s (last: /health answered 500)',
      );
    } finally {
      group.close();
    }
  });

  it('rejects as soon as the target is taken out, not at the timeout', async () => {
    status = 500;
    const group = new TargetGroup('leaving', settings);
    group.register({ id: 't1', host: '127.0.0.1', port });
    const started = Date.now();
    const waiting = group.waitHealthy('t1', 60_000);
    await group.deregister('t1', 0);
    await expect(waiting).rejects.toThrow('t1 did not pass 2 health checks');
    expect(Date.now() - started).toBeLessThan(30_000);
    group.close();
  });

  it('rejects at once for a target that is already draining its last requests', async () => {
    status = 200;
    const group = new TargetGroup('draining', settings);
    const target = group.register({ id: 't1', host: '127.0.0.1', port });
    target.inFlight = 1; // a request still on its way: the target stays in the group while it drains
    const draining = group.deregister('t1', 60_000);
    await expect(group.waitHealthy('t1', 60_000)).rejects.toThrow('t1 did not pass 2 health checks');
    group.finished(target);
    expect(await draining).toEqual({ drained: true });
    group.close();
  });

  it('rejects when the group closes', async () => {
    status = 500;
    const group = new TargetGroup('closing', settings);
    group.register({ id: 't1', host: '127.0.0.1', port });
    const waiting = group.waitHealthy('t1', 60_000);
    group.close();
    await expect(waiting).rejects.toThrow('t1 did not pass 2 health checks');
  });

  it('rejects at once for a target that is not registered', async () => {
    const group = new TargetGroup('empty', settings);
    await expect(group.waitHealthy('nope', 1_000)).rejects.toThrow('nope is not registered in empty');
  });
});
