import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { ResolvedConfig } from '../../config/index.ts';

/** What every berth construct is built from: the resolved config and the app's KMS key. */
export interface AppScopeProps {
  readonly config: ResolvedConfig;
  readonly key: kms.IKey;
}

/** For constructs that live inside the app's VPC. */
export interface InVpcProps extends AppScopeProps {
  readonly vpc: ec2.IVpc;
}
