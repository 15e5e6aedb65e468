import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ResolvedConfig } from '../config/index.ts';
import { BerthError, UsageError } from '../shared/errors.ts';
import { clientConfig } from './clients.ts';
import type { AwsNotify } from './events.ts';

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/** No credentials anywhere in the standard chain: the one line that says how to provide them. */
export class NoCredentialsError extends BerthError {
  constructor(cause: unknown) {
    super(
      'no AWS credentials found; set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      { cause },
    );
    this.name = 'NoCredentialsError';
  }
}

/** Credentials for another account than the config names: refused before anything changes. */
export class WrongAccountError extends UsageError {
  constructor(
    readonly expected: string,
    readonly actual: string,
    arn: string,
    /** The config path that names the account: `env.account`, or the stage's own. */
    field = 'env.account',
  ) {
    super(
      `the credentials are for account ${actual} (${arn}) but the config deploys to account ${expected}; switch AWS_PROFILE to account ${expected}, or change ${field} in the config`,
    );
    this.name = 'WrongAccountError';
  }
}

/** Errors the SDK raises when the credential chain found nothing, or what it found is not valid. */
const NO_CREDENTIALS = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'AccessDenied',
]);

/**
 * GetCallerIdentity before anything is changed: deploying to the wrong account must be
 * impossible by accident. Returns who is calling when it is the config's account.
 */
export async function assertAccount(config: ResolvedConfig, notify: AwsNotify): Promise<CallerIdentity> {
  const sts = new STSClient(clientConfig(config));
  let who;
  try {
    who = await sts.send(new GetCallerIdentityCommand({}));
  } catch (err) {
    if (NO_CREDENTIALS.has((err as Error).name)) throw new NoCredentialsError(err);
    throw new BerthError(`cannot reach AWS STS in ${config.env.region}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    sts.destroy();
  }
  const account = who.Account ?? '';
  const arn = who.Arn ?? '';
  if (account !== config.env.account) {
    // A stage in an account of its own says so, and the fix names where.
    const own = config.stages.find((s) => s.name === config.stage)?.overrides.includes('env.account');
    throw new WrongAccountError(
      config.env.account,
      account,
      arn,
      own ? `stages.${config.stage}.env.account` : 'env.account',
    );
  }
  notify({
    level: 'info',
    code: 'aws.identity',
    message: `account ${account} (${arn}), ${config.env.region}`,
    data: { account, arn, region: config.env.region },
  });
  return { account, arn };
}
