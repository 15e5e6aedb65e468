import { BerthError } from '../shared/errors.ts';

// Kept free of aws-cdk-lib so that the CLI can recognise these errors without loading CDK.

/** Raised when the output directory holds something other than an earlier cloud assembly. */
export class OutdirNotEmptyError extends BerthError {
  constructor(dir: string) {
    super(
      `${dir} is not empty and holds no earlier synth output (manifest.json); choose another --out directory`,
      { exitCode: 2 },
    );
    this.name = 'OutdirNotEmptyError';
  }
}

/**
 * A traffic-shifting release checks new tasks from AWS Lambda through the test listener, which a
 * narrowed `alb.allowedCidrs` closes to it: every release would fail its check and roll back.
 */
export class ReleaseVerifierUnreachableError extends BerthError {
  constructor(service: string, strategy: string) {
    super(
      `services.${service}.release.strategy '${strategy}' checks new tasks from AWS Lambda through port 8443, which alb.allowedCidrs closes to it; allow 0.0.0.0/0 in alb.allowedCidrs or use 'rolling' (docs/releases.md)`,
      { exitCode: 2 },
    );
    this.name = 'ReleaseVerifierUnreachableError';
  }
}

/** ECS takes a step share in multiples of 0.1%, and a linear step of at least 3%; the config allows any. */
export class ReleaseStepError extends BerthError {
  constructor(service: string, strategy: string, stepPercent: number) {
    super(
      `services.${service}.release.stepPercent ${stepPercent} is not a step ECS takes for '${strategy}': use a multiple of 0.1${strategy === 'linear' ? ' from 3 to 100' : ' from 0.1 to 100'}`,
      { exitCode: 2 },
    );
    this.name = 'ReleaseStepError';
  }
}
