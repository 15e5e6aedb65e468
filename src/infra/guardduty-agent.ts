import * as iam from 'aws-cdk-lib/aws-iam';
import { BerthError } from '../shared/errors.ts';

/**
 * The account that hosts GuardDuty's Fargate agent image (`aws-guardduty-agent-fargate`) in
 * each region, from the GuardDuty User Guide, "ECR Repository for GuardDuty agent on AWS Fargate
 * (Amazon ECS only)" (https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html).
 * Only the regions read from that page are listed; add others from the same page.
 */
const AGENT_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '593207742271',
  'us-east-2': '307168627858',
  'us-west-1': '684579721401',
  'us-west-2': '733349766148',
  'ca-central-1': '354763396469',
  'sa-east-1': '758426053663',
  'eu-west-1': '694911143906',
  'eu-west-2': '892757235363',
  'eu-west-3': '665651866788',
  'eu-north-1': '591436053604',
  'eu-central-1': '323658145986',
  'eu-central-2': '529164026651',
  'me-central-1': '000014521398',
  'ap-south-1': '251508486986',
  'ap-south-2': '950823858135',
  'ap-southeast-1': '174946120834',
  'ap-southeast-2': '005257825471',
};

const REPOSITORY = 'aws-guardduty-agent-fargate';

/** The agent repository's ARN in a region, or a config error naming the regions berth knows. */
export function guardDutyAgentRepositoryArn(region: string): string {
  const account = AGENT_ACCOUNTS[region];
  if (!account) {
    throw new BerthError(
      `guardDuty: berth does not know GuardDuty's Fargate agent repository in ${region}; use one of ${Object.keys(AGENT_ACCOUNTS).join(', ')}, or set guardDuty: false`,
      { exitCode: 2 },
    );
  }
  return `arn:aws:ecr:${region}:${account}:repository/${REPOSITORY}`;
}

/**
 * GuardDuty Runtime Monitoring adds its agent as a sidecar to every task of a tagged cluster
 * and pulls it with the task's execution role: the role needs ECR pull on GuardDuty's own
 * repository (the image actions, scoped to it; GetAuthorizationToken has no resource scope).
 */
export function grantGuardDutyAgentPull(role: iam.IRole, region: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PullGuardDutyAgent',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: [guardDutyAgentRepositoryArn(region)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
  );
}
