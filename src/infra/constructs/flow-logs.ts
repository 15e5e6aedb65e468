import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { InVpcProps } from './props.ts';
import { acknowledge } from '../acknowledge.ts';

export interface FlowLogsProps extends InVpcProps {
  readonly vpc: ec2.Vpc;
  /** Where the flow-log bucket's own access is logged (the ALB access-log bucket). */
  readonly accessLogs: s3.IBucket;
}

/**
 * VPC flow logs, all traffic, to an S3 bucket on the app key kept for
 * `logs.securityRetentionDays`: security evidence outlives the app's one-day logs, and S3
 * stores it for a fraction of CloudWatch's price. No role is involved (the log delivery
 * service writes under a bucket policy limited to this account's log deliveries).
 */
export class FlowLogs extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: FlowLogsProps) {
    super(scope, id);
    const { config, key, vpc } = props;
    const days = config.logs.securityRetentionDays;
    const stack = Stack.of(this);
    const fromThisAccountsDeliveries = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*' }) },
    };

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(days), noncurrentVersionExpiration: Duration.days(1) }],
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'flow-log-bucket/',
      // Evidence must survive the stack that produced it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const delivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FlowLogDelivery',
        principals: [delivery],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
        conditions: {
          ...fromThisAccountsDeliveries,
          StringEquals: {
            ...fromThisAccountsDeliveries.StringEquals,
            's3:x-amz-acl': 'bucket-owner-full-control',
          },
        },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FlowLogDeliveryCheck',
        principals: [delivery],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: fromThisAccountsDeliveries,
      }),
    );
    // Log delivery encrypts each object with the app key, for this account's deliveries only.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FlowLogDeliveryEncrypts',
        principals: [delivery],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: fromThisAccountsDeliveries,
      }),
    );

    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toS3(this.bucket),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    const replication = `Flow logs are kept ${days} days (logs.securityRetentionDays) in one region; replication would double their cost.`;
    acknowledge(this.bucket, {
      ...Object.fromEntries(
        ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => [
          `${pack}-S3BucketReplicationEnabled`,
          replication,
        ]),
      ),
      'cdk-validator-cfnguard::s3_event_notifications_enabled_check':
        'Nothing consumes flow-log object events; notifications would have no subscriber.',
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check': `Flow logs expire after logs.securityRetentionDays (${days} days) by lifecycle; object lock would have to match it exactly or block the expiry.`,
    });
  }
}
