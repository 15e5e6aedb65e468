/**
 * The permissions CloudFormation gets when it deploys a berth app: the services a berth stack
 * creates resources in, instead of CDK's default AdministratorAccess. The execution role's trust
 * policy (cloudformation.amazonaws.com may assume it) is CDK's bootstrap template's, unchanged.
 * docs/deploy.md prints both documents.
 */
export const EXECUTION_POLICY_NAME = 'berth-cfn-execution';

/** Every service whose resource types a berth stack uses (src/infra; `berth synth` shows them). */
const SERVICES = [
  'application-autoscaling', // ScalableTarget, ScalingPolicy
  'acm', // the certificate for the apex and its subdomains
  'cloudwatch', // alarms of target-tracking scaling
  'dynamodb', // the config's tables
  'ec2', // VPC, subnets, routes, security groups, NAT instance or gateway, flow logs
  'ecr', // repositories of the registry stack
  'ecs', // cluster, task definitions, services
  'elasticloadbalancing', // the load balancer, listeners, rules, target groups
  'guardduty', // runtime monitoring, when the config turns it on
  'kms', // the app's key for logs, tables and the registry
  'lambda', // CDK's custom resource that closes the VPC's default security group
  'logs', // service, flow-log and WAF log groups
  'route53', // alias records in the config's hosted zone
  's3', // the load balancer's access-log bucket
  'servicediscovery', // the Service Connect namespace
  'ssm', // reading parameters a template refers to (the NAT instance's AMI)
  'wafv2', // the web ACL, when the config turns it on
] as const;

/** IAM only for the roles a stack makes for its tasks, functions and instances; no users, no keys. */
const IAM_ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:PutRolePolicy',
  'iam:GetRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies',
  'iam:PassRole',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:GetInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:CreateServiceLinkedRole',
];

export function executionPolicyDocument(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'BerthAppServices', Effect: 'Allow', Action: SERVICES.map((s) => `${s}:*`), Resource: '*' },
      { Sid: 'BerthAppRoles', Effect: 'Allow', Action: IAM_ROLE_ACTIONS, Resource: '*' },
      {
        // A stack must not widen the roles that deploy it: that would turn a deploy into admin.
        Sid: 'KeepBootstrapRoles',
        Effect: 'Deny',
        Action: 'iam:*',
        Resource: ['arn:aws:iam::*:role/cdk-*', `arn:aws:iam::*:policy/${EXECUTION_POLICY_NAME}`],
      },
    ],
  };
}

/** CDK bootstrap's trust policy for the execution role, shown in docs/deploy.md. */
export const EXECUTION_ROLE_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};
