// Types from their own modules, not the config barrel: config/load.ts calls the stack-size model
// (stack-limits.ts), so a barrel import here would close a loop.
import type { ResolvedConfig } from '../config/normalize.ts';

/**
 * The interface endpoints a config's VPC gets, as CDK's `InterfaceVpcEndpointAwsService` member
 * names. Kept free of aws-cdk-lib so that `berth cost` prices the same list the network construct
 * creates without loading CDK.
 */
export type InterfaceEndpointService =
  | 'ECR'
  | 'ECR_DOCKER'
  | 'CLOUDWATCH_LOGS'
  | 'SSM_MESSAGES'
  | 'KMS'
  | 'SSM'
  | 'SECRETS_MANAGER'
  | 'GUARDDUTY_DATA';

export interface InterfaceEndpoint {
  /** Construct id under the VPC. */
  readonly id: string;
  readonly service: InterfaceEndpointService;
  /** The AWS service name the endpoint reaches (`com.amazonaws.REGION.<name>`). */
  readonly name: string;
}

/** Without a NAT (egress: endpoints), tasks reach AWS only through these; other strategies get none. */
export function interfaceEndpoints(config: ResolvedConfig): readonly InterfaceEndpoint[] {
  if (config.network.egress !== 'endpoints') return [];
  const needed: InterfaceEndpoint[] = [
    { id: 'EcrApi', service: 'ECR', name: 'ecr.api' },
    { id: 'EcrDocker', service: 'ECR_DOCKER', name: 'ecr.dkr' },
    { id: 'Logs', service: 'CLOUDWATCH_LOGS', name: 'logs' },
  ];
  if (config.exec) {
    // The exec agent opens its channels through ssmmessages and decrypts them with the app key.
    needed.push({ id: 'SsmMessages', service: 'SSM_MESSAGES', name: 'ssmmessages' });
    needed.push({ id: 'Kms', service: 'KMS', name: 'kms' });
  }
  const secrets = config.services.flatMap((s) => Object.values(s.secrets));
  if (secrets.some((s) => s.kind === 'ssm')) needed.push({ id: 'Ssm', service: 'SSM', name: 'ssm' });
  if (secrets.some((s) => s.kind === 'secretsManager'))
    needed.push({ id: 'SecretsManager', service: 'SECRETS_MANAGER', name: 'secretsmanager' });
  if (config.guardDuty)
    needed.push({ id: 'GuardDutyData', service: 'GUARDDUTY_DATA', name: 'guardduty-data' });
  return needed;
}
