import { describe, expect, it } from 'vitest';
import type { DeploySteps } from '../../src/aws/deploy/steps.ts';
import { promoteImages } from '../../src/aws/deploy/promoted-images.ts';
import { publishImages } from '../../src/aws/images/publish.ts';
import { gateOnScans } from '../../src/aws/images/scan-gate.ts';
import { verifyDeployment } from '../../src/aws/verify.ts';

// The seam with berth deploy (src/aws/deploy/steps.ts): the typecheck proves the shapes match,
// the behaviour of each step is proved in its own test file.
describe('DeploySteps', () => {
  it('is implemented by publishImages, promoteImages, gateOnScans and verifyDeployment', () => {
    const steps: DeploySteps = { publishImages, promoteImages, gateOnScans, verifyDeployment };
    expect(Object.values(steps).every((step) => typeof step === 'function')).toBe(true);
  });
});
