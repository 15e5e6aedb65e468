import type { ResolvedConfig } from '../config/index.ts';

/** What every SDK v3 client of the AWS commands is built with. */
export interface AwsClientConfig {
  readonly region: string;
  /** `AWS_ENDPOINT_URL` when set (an emulator such as moto); the SDK's own endpoint otherwise. */
  readonly endpoint?: string;
}

/**
 * One place that builds SDK v3 client config: the config's region, the standard credential chain
 * (left to the SDK: AWS_PROFILE, environment, SSO, instance roles) and AWS_ENDPOINT_URL, so an
 * emulator and real AWS take one code path.
 */
export function awsClientConfig(config: Pick<ResolvedConfig, 'env'>): AwsClientConfig {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  return { region: config.env.region, ...(endpoint ? { endpoint } : {}) };
}
