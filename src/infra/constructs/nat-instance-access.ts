import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../acknowledge.ts';

/**
 * Makes each NAT instance a Systems Manager managed node (Security Hub SSM.1): Session Manager
 * instead of SSH, and Patch Manager as its patch path. It costs nothing extra; the agent
 * ships in Amazon Linux 2023 and reaches SSM through the instance's own public address.
 */
export function manageNatInstancesWithSsm(vpc: ec2.IVpc): void {
  for (const child of vpc.node.findAll()) {
    if (!(child instanceof ec2.Instance)) continue;
    child.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));
    acknowledge(child.role, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]':
        "AWS's own minimal policy for an SSM managed node; AWS keeps it current as the agent changes.",
    });
  }
}
