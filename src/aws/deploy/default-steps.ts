import { BerthError } from '../../shared/errors.ts';
import type { DeploySteps } from './steps.ts';

/**
 * The real image and verification steps, from the modules that implement the DeploySteps seam:
 * src/aws/images/publish.ts, src/aws/images/scan-gate.ts and src/aws/verify.ts (built on another
 * branch). Loaded by path at run time so this branch builds before they are merged; once they are,
 * these three imports can become static ones.
 */
const MODULES = {
  publishImages: '../images/publish.ts',
  gateOnScans: '../images/scan-gate.ts',
  verifyDeployment: '../verify.ts',
} as const;

export async function defaultSteps(): Promise<DeploySteps> {
  const steps: Partial<Record<keyof DeploySteps, unknown>> = {};
  for (const [name, path] of Object.entries(MODULES) as [keyof DeploySteps, string][]) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(path)) as Record<string, unknown>;
    } catch (err) {
      throw new BerthError(
        `this build of berth has no ${name} step (${path.replace('..', 'src/aws')} is missing); deploy needs it`,
        { cause: err },
      );
    }
    steps[name] = mod[name];
  }
  return steps as DeploySteps;
}
