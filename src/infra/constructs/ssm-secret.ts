import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ssm from 'aws-cdk-lib/aws-ssm';

/**
 * An SSM SecureString parameter as a container secret, granting the execution role only
 * `ssm:GetParameters`: what ECS calls to inject it. `ecs.Secret.fromSsmParameter` grants the
 * parameter's full read set, history included, which would hand out earlier values too.
 * A SecureString on the AWS managed key (aws/ssm) needs no KMS grant.
 */
export function ssmSecret(parameter: ssm.IParameter): ecs.Secret {
  return new (class extends ecs.Secret {
    public readonly arn = parameter.parameterArn;
    public readonly hasField = false;
    public grantRead(grantee: iam.IGrantable): iam.Grant {
      return iam.Grant.addToPrincipal({
        grantee,
        actions: ['ssm:GetParameters'],
        resourceArns: [parameter.parameterArn],
      });
    }
  })();
}
