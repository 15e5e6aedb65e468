import * as iam from 'aws-cdk-lib/aws-iam';
import type { Stack } from 'aws-cdk-lib';

/**
 * ECS tasks, but only those of this account and region: the conditions ECS documents for task
 * role trust policies against the confused deputy problem (another account's task naming this
 * role).
 */
export function ecsTasksOfThisAccount(stack: Stack): iam.IPrincipal {
  return new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:*` },
    StringEquals: { 'aws:SourceAccount': stack.account },
  });
}
