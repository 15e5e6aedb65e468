import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedConfig, ResolvedService } from '../../config/index.ts';
import { releaseChecks, shiftsTraffic } from '../../config/services.ts';
import { acknowledge } from '../acknowledge.ts';
import { acknowledgeShortRetention } from '../log-retention.ts';
import { names } from '../naming.ts';
import { TEST_LISTENER_PORT } from '../constructs/edge.ts';
import { dropRedundantDependsOn } from '../redundant-depends-on.ts';

/** The handler's source, inlined at synth: no bundling, no network fetch. */
export const VERIFIER_SOURCE = readFileSync(path.join(import.meta.dirname, 'verifier-handler.cjs'), 'utf8');

export interface ReleaseVerifierProps {
  readonly config: ResolvedConfig;
  readonly key: kms.IKey;
}

/** What the verifier asks of one service: its health path first, then the config's verify requests. */
export function verifyTarget(config: ResolvedConfig, service: ResolvedService) {
  return {
    origin: `https://${service.route!.host}:${TEST_LISTENER_PORT}`,
    requests: releaseChecks(service),
  };
}

/**
 * One Lambda per stage that ECS calls after test traffic reaches a release's new tasks: it sends
 * the service's verify requests to the test listener and answers SUCCEEDED or FAILED, so the check
 * also guards a deployment started from CI or the console. It may only write its own log group
 * and list the deployments of this stage's services.
 */
export class ReleaseVerifier extends Construct {
  public readonly function: lambda.Function;
  /** The role ECS invokes the hook with: this function and nothing else. */
  public readonly invokeRole: iam.Role;

  constructor(scope: Construct, id: string, props: ReleaseVerifierProps) {
    super(scope, id);
    const { config } = props;
    const shifting = config.services.filter(shiftsTraffic);
    const functionName = names.releaseVerifier(config);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: names.releaseVerifierLogGroup(config),
      retention: config.logs.retentionDays,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeShortRetention(
      logGroup,
      config.logs.retentionDays,
      'logs.retentionDays',
      'Release verifier logs',
    );

    const stack = Stack.of(this);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${config.app} ${config.stage}'s release checks: its own logs, its services' deployments`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:ListServiceDeployments'],
        resources: shifting.map((service) =>
          stack.formatArn({
            service: 'ecs',
            resource: 'service',
            resourceName: `${names.cluster(config)}/${names.service(config, service)}`,
          }),
        ),
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: `berth: ${config.app} ${config.stage} release verify requests through the test listener`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(VERIFIER_SOURCE),
      memorySize: 128,
      timeout: Duration.seconds(60),
      role,
      logGroup,
      environment: {
        BERTH_VERIFY: JSON.stringify(
          Object.fromEntries(shifting.map((s) => [names.service(config, s), verifyTarget(config, s)])),
        ),
      },
    });

    // The function already names its role through GetAtt.
    dropRedundantDependsOn(this.function.node.defaultChild as CfnResource, [
      role.node.defaultChild as CfnResource,
    ]);

    this.invokeRole = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: `Lets ECS call ${functionName} during a release`,
    });
    this.invokeRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );

    const outsideVpc =
      "It only calls the stage's public test listener over HTTPS and ECS's API; inside the VPC it would need a NAT path back to the load balancer's public address, which public-tasks and endpoints egress do not have.";
    const synchronous =
      'ECS invokes the hook synchronously and rolls back when it fails; a dead-letter queue only receives failed asynchronous events.';
    const concurrency =
      'ECS calls it once per service deployment stage; reserving concurrency would take capacity from the account for nothing.';
    acknowledge(this.function, {
      'NIST.800.53.R5-LambdaInsideVPC': outsideVpc,
      'HIPAA.Security-LambdaInsideVPC': outsideVpc,
      'PCI.DSS.321-LambdaInsideVPC': outsideVpc,
      'cdk-validator-cfnguard::lambda_inside_vpc_check': outsideVpc,
      'NIST.800.53.R5-LambdaDLQ': synchronous,
      'HIPAA.Security-LambdaDLQ': synchronous,
      'NIST.800.53.R5-LambdaConcurrency': concurrency,
      'HIPAA.Security-LambdaConcurrency': concurrency,
    });
  }
}
