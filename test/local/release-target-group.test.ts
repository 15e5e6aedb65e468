import { afterEach, describe, expect, it } from 'vitest';
import { TargetGroup } from '../../src/local/edge/target-group.ts';

const HEALTH = {
  path: '/health',
  intervalMs: 60_000,
  timeoutMs: 1_000,
  healthyThreshold: 1,
  unhealthyThreshold: 1,
  initialIntervalMs: 60_000,
};

/** A group with blue and green targets marked healthy by hand (no probe runs: nothing listens there). */
function groupWith(blue: number, green: number): TargetGroup {
  const group = new TargetGroup('web', HEALTH);
  const add = (id: string, isGreen: boolean) => {
    const target = group.register({ id, host: '127.0.0.1', port: 9 }, { green: isGreen });
    clearTimeout(target.timer);
    target.health = 'healthy';
  };
  for (let i = 1; i <= blue; i++) add(`blue-${i}`, false);
  for (let i = 1; i <= green; i++) add(`green-${i}`, true);
  return group;
}

const picks = (group: TargetGroup, n: number) => Array.from({ length: n }, () => group.pick()?.id ?? '503');

describe('a target group during a release', () => {
  const groups: TargetGroup[] = [];
  const make = (blue: number, green: number) => {
    const group = groupWith(blue, green);
    groups.push(group);
    return group;
  };
  afterEach(() => groups.splice(0).forEach((g) => g.close()));

  it('without a release, green-marked targets are plain targets in the round robin', () => {
    const group = make(1, 1);
    expect(new Set(picks(group, 4))).toEqual(new Set(['blue-1', 'green-1']));
  });

  it('gives green nothing at 0 %, even when blue has no healthy target (503, not an unverified green)', () => {
    const group = make(1, 2);
    group.beginRelease(() => {});
    expect(new Set(picks(group, 10))).toEqual(new Set(['blue-1']));
    group.get('blue-1')!.health = 'unhealthy';
    group.endRelease('blue');
    group.beginRelease(() => {});
    expect(picks(group, 3)).toEqual(['503', '503', '503']);
  });

  it("gives green its share, round robin within each fleet, and the test listener's pick green only", () => {
    const group = make(2, 2);
    const split = group.beginRelease(() => {});
    split.greenPercent = 25;
    const seq = picks(group, 8);
    expect(seq.filter((id) => id.startsWith('green'))).toHaveLength(2);
    expect(new Set(seq)).toEqual(new Set(['blue-1', 'blue-2', 'green-1', 'green-2']));
    expect(new Set([group.pickGreen()!.id, group.pickGreen()!.id])).toEqual(new Set(['green-1', 'green-2']));
  });

  it("sends green's share to blue when green has no healthy target", () => {
    const group = make(1, 0);
    const split = group.beginRelease(() => {});
    split.greenPercent = 100;
    expect(picks(group, 3)).toEqual(['blue-1', 'blue-1', 'blue-1']);
  });

  it('reports each answer with the fleet of the target that gave it', () => {
    const group = make(1, 1);
    const seen: string[] = [];
    group.beginRelease((cohort, status, ms) => seen.push(`${cohort} ${status} ${ms}`));
    group.observe(group.get('green-1')!, 500, 3);
    group.observe(group.get('blue-1')!, 200, 1);
    expect(seen).toEqual(['green 500 3', 'blue 200 1']);
  });

  it('makes green plain targets once green has won, and stops reporting', () => {
    const group = make(1, 1);
    group.beginRelease(() => {});
    group.endRelease('green');
    expect(group.get('green-1')!.green).toBe(false);
    expect(group.observing).toBe(false);
  });
});
