import type { ReleaseStrategy } from '../../config/index.ts';

/**
 * The green shares a release moves through, in order, ending at 100: blue-green moves everything
 * at once; canary moves `stepPercent`, then the rest; linear adds `stepPercent` per step. Each
 * share but the last is held for a step; the last is held for the bake.
 */
export function shiftSteps(strategy: Exclude<ReleaseStrategy, 'rolling'>, stepPercent: number): number[] {
  if (strategy === 'blue-green' || stepPercent >= 100) return [100];
  if (strategy === 'canary') return [stepPercent, 100];
  const steps: number[] = [];
  // Whole hundredths, so that 3 x 33.3 does not become 99.89999.
  const step = Math.round(stepPercent * 100);
  for (let share = step; share < 100 * 100; share += step) steps.push(share / 100);
  steps.push(100);
  return steps;
}
