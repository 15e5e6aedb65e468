import { BerthError } from '../../shared/errors.ts';
import type { DeploySteps } from './steps.ts';

/**
 * The real image and verification steps, from the modules that implement the DeploySteps seam:
 * src/aws/images/publish.ts, src/aws/images/scan-gate.ts and src/aws/verify.ts (built on another
 * branch). Each is loaded by its path when the deploy reaches it, so this branch builds and the
 * account guard and checks run before they are merged; once they are, these imports can become
 * static ones.
 */
const MODULES = {
  publishImages: '../images/publish.ts',
  gateOnScans: '../images/scan-gate.ts',
  verifyDeployment: '../verify.ts',
} as const;

async function load<K extends keyof DeploySteps>(name: K): Promise<DeploySteps[K]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(MODULES[name])) as Record<string, unknown>;
  } catch (err) {
    throw new BerthError(
      `this build of berth has no ${name} step (${MODULES[name].replace('..', 'src/aws')} is missing); deploy needs it`,
      { cause: err },
    );
  }
  return mod[name] as DeploySteps[K];
}

export function defaultSteps(): DeploySteps {
  return {
    publishImages: async (o) => (await load('publishImages'))(o),
    gateOnScans: async (o) => (await load('gateOnScans'))(o),
    verifyDeployment: async (o) => (await load('verifyDeployment'))(o),
  };
}
