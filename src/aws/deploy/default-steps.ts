import type { DeploySteps } from './steps.ts';

/**
 * The real image and verification steps behind the DeploySteps seam. Each module is loaded when a
 * deploy reaches its step, so `berth deploy --help` and a deploy stopped by the account guard or
 * the checks never load the ECR and HTTP clients.
 */
export function defaultSteps(): DeploySteps {
  return {
    publishImages: async (o) => (await import('../images/publish.ts')).publishImages(o),
    promoteImages: async (o) => (await import('./promoted-images.ts')).promoteImages(o),
    gateOnScans: async (o) => (await import('../images/scan-gate.ts')).gateOnScans(o),
    verifyDeployment: async (o) => (await import('../verify.ts')).verifyDeployment(o),
  };
}
