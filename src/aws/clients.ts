import type { ResolvedConfig } from '../config/index.ts';

/**
 * The one place that builds SDK v3 client config: the config's region, the standard credential
 * chain (AWS_PROFILE, environment, SSO, instance roles: the SDK's default provider, so nothing is
 * passed), and AWS_ENDPOINT_URL honoured, so an emulator and real AWS take one code path.
 */
export interface AwsClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  /** Retries are few: a command that talks to a wrong endpoint should say so quickly. */
  readonly maxAttempts: number;
}

export function clientConfig(config: Pick<ResolvedConfig, 'env'>): AwsClientConfig {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  return {
    region: config.env.region,
    maxAttempts: 3,
    ...(endpoint ? { endpoint } : {}),
  };
}
