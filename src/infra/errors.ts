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
