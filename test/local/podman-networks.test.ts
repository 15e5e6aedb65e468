import { describe, expect, it } from 'vitest';
import { isolatingPodman } from '../../src/local/engines/container-engine.ts';

describe('keeping services apart by network, as podman reports itself', () => {
  it.each([
    ['4.3.1', 'netavark', true],
    ['5.2.0', 'netavark', true],
    // CNI gives a container its aliases on its first network only: a caller would not resolve a callee.
    ['4.3.1', 'cni', false],
    // podman 3 takes no per-network alias at all (Ubuntu 22.04's package).
    ['3.4.4', 'cni', false],
    ['', '', false],
  ])('podman %s with %s: a network per service is %s', (version, backend, isolates) => {
    expect(isolatingPodman(version, backend)).toBe(isolates);
  });
});
