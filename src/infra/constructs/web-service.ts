import { type CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { ResolvedConfig, ResolvedService } from '../../config/index.ts';
import { acknowledge } from '../acknowledge.ts';
import { dropRedundantDependsOn } from '../redundant-depends-on.ts';
import { names } from '../naming.ts';
import { grantGuardDutyAgentPull } from '../guardduty-agent.ts';
import { acknowledgeShortRetention } from '../log-retention.ts';
import { ssmSecret } from './ssm-secret.ts';
import type { EdgeRelease } from './edge.ts';
import { ReleaseAlarms } from '../release/alarms.ts';
import type { ReleaseVerifier } from '../release/verifier.ts';
import { ecsTasksOfThisAccount } from './trust.ts';

export interface WebServiceProps {
  readonly config: ResolvedConfig;
  readonly service: ResolvedService;
  readonly cluster: ecs.ICluster;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly assignPublicIp: boolean;
  readonly key: kms.IKey;
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  /** Image tag or digest (`sha256:...`) to run; a deploy passes the digest it pushed. */
  readonly imageVersion: string;
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  readonly albSecurityGroup?: ec2.ISecurityGroup;
  /** A traffic-shifting release (blue-green, canary, linear): the edge's side and the verifier hook. */
  readonly release?: { readonly edge: EdgeRelease; readonly verifier: ReleaseVerifier };
}

/** Writable paths on a read-only root filesystem: /tmp always, the ECS Exec agent's when exec is on. */
const EXEC_AGENT_PATHS = ['/managed-agents', '/var/lib/amazon/ssm', '/var/log/amazon/ssm'];

/**
 * One container, one task definition, one Fargate service: the seed's lesson that two app
 * containers in one task cannot scale apart. Roles are generated per service with only
 * what this service needs.
 */
export class WebService extends Construct {
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly logGroup: logs.LogGroup;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The rollback alarms of a traffic-shifting release. */
  public readonly releaseAlarms?: ReleaseAlarms;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const { config, service } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: names.logGroup(config, service),
      retention: config.logs.retentionDays,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeShortRetention(
      this.logGroup,
      config.logs.retentionDays,
      'logs.retentionDays',
      `${service.id}'s logs`,
    );

    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Pulls ${service.id}'s image, writes its logs, reads its secrets`,
    });
    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: ecsTasksOfThisAccount(Stack.of(this)),
      description: `What ${service.id} itself may do in AWS`,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDef', {
      family: names.service(config, service),
      cpu: service.cpu,
      memoryLimitMiB: service.memory,
      executionRole,
      taskRole,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture:
          service.architecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      },
    });

    const environment: Record<string, string> = { ...service.environment, PORT: String(service.port) };
    for (const permission of service.permissions) {
      const table = props.tables[permission.table]!;
      if (permission.access === 'read') table.grantReadData(taskRole);
      else table.grantReadWriteData(taskRole);
      environment[names.tableEnv(permission.table)] = table.tableName;
    }

    this.container = this.taskDefinition.addContainer('App', {
      containerName: service.id,
      image: this.image(props, executionRole),
      essential: true,
      memoryLimitMiB: service.memory,
      portMappings: [{ name: 'http', containerPort: service.port, appProtocol: ecs.AppProtocol.http }],
      environment,
      secrets: this.secrets(service),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: service.id }),
      readonlyRootFilesystem: true,
      user: `${service.user}:${service.user}`,
      privileged: false,
      stopTimeout: Duration.seconds(service.stopTimeoutSeconds),
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: config.exec }),
      ...(service.healthCheck.command
        ? {
            healthCheck: {
              command: ['CMD', ...service.healthCheck.command],
              interval: Duration.seconds(service.healthCheck.interval),
              timeout: Duration.seconds(service.healthCheck.timeout),
              retries: service.healthCheck.unhealthyThreshold,
              startPeriod: Duration.seconds(10),
            },
          }
        : {}),
    });
    this.container.linuxParameters?.dropCapabilities(ecs.Capability.ALL);
    // The exec agent decrypts the session with the app key; encrypting is the caller's side.
    if (config.exec) props.key.grant(taskRole, 'kms:Decrypt');
    if (config.guardDuty) grantGuardDutyAgentPull(executionRole, config.env.region);

    for (const path of ['/tmp', ...(config.exec ? EXEC_AGENT_PATHS : [])]) {
      const name = path.slice(1).replace(/\//g, '-');
      this.taskDefinition.addVolume({ name });
      this.container.addMountPoints({ containerPath: path, sourceVolume: name, readOnly: false });
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `${config.app} ${service.id} tasks`,
      allowAllOutbound: false,
    });
    // AWS APIs (through the NAT, the VPC endpoints or the internet gateway) are all HTTPS; calls to
    // other services are added per declared edge. The VPC's DNS and the task metadata endpoint are
    // not filtered by security groups.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');

    const spot = service.spot;
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      serviceName: names.service(config, service),
      taskDefinition: this.taskDefinition,
      desiredCount: service.scaling.desired,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      vpcSubnets: props.vpcSubnets,
      assignPublicIp: props.assignPublicIp,
      securityGroups: [this.securityGroup],
      enableExecuteCommand: config.exec,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: props.targetGroup ? Duration.seconds(30) : undefined,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      capacityProviderStrategies: [
        ...(spot < 100 ? [{ capacityProvider: 'FARGATE', weight: 100 - spot, base: 1 }] : []),
        ...(spot > 0 ? [{ capacityProvider: 'FARGATE_SPOT', weight: spot }] : []),
      ],
      ...this.serviceConnect(config, service),
      ...(props.release ? deploymentStrategy(service) : {}),
    });

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: service.scaling.min,
      maxCapacity: service.scaling.max,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: service.scaling.cpuTarget });

    if (props.targetGroup && props.albSecurityGroup) {
      if (props.release) this.releaseAlarms = this.shiftTraffic(props, props.targetGroup, props.release);
      else this.service.attachToApplicationTargetGroup(props.targetGroup);
      this.securityGroup.connections.allowFrom(
        props.albSecurityGroup,
        ec2.Port.tcp(service.port),
        'From the load balancer only',
      );
      // A target-tracking policy names one target group, and a traffic-shifting release swaps which
      // group is production at every release: such a service scales on CPU alone.
      if (!props.release)
        scaling.scaleOnRequestCount('Requests', {
          requestsPerTarget: service.scaling.requestsPerTarget,
          targetGroup: props.targetGroup,
        });
    }

    this.acknowledgeDesignFindings(config, service, props);
  }

  /**
   * ECS-native blue/green: the alternate target group, the production rule whose weights ECS moves,
   * the test rule that reaches green first, the rollback alarms and the verifier hook.
   */
  private shiftTraffic(
    props: WebServiceProps,
    targetGroup: elbv2.ApplicationTargetGroup,
    release: NonNullable<WebServiceProps['release']>,
  ): ReleaseAlarms {
    const { service } = props;
    const target = this.service.loadBalancerTarget({
      containerName: service.id,
      containerPort: service.port,
      alternateTarget: new ecs.AlternateTarget('GreenTargets', {
        alternateTargetGroup: release.edge.alternateTargetGroup,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(
          release.edge.productionRule,
        ),
        testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(release.edge.testRule),
      }),
    });
    target.attachToApplicationTargetGroup(targetGroup);
    acknowledge(this.service.node.findChild('GreenTargetsRole'), {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]':
        "AWS's own policy for ECS moving listener weights and targets in a blue/green release; AWS widens it as ECS needs, and it has no resource scoping to improve on.",
    });
    // The service names both rules in its load balancer settings; CDK also lists them in DependsOn.
    dropRedundantDependsOn(this.service.node.defaultChild as CfnResource, [
      release.edge.productionRule.node.defaultChild as CfnResource,
      release.edge.testRule.node.defaultChild as CfnResource,
    ]);

    const alarms = new ReleaseAlarms(this, 'ReleaseAlarms', {
      config: props.config,
      service,
      targetGroups: [targetGroup, release.edge.alternateTargetGroup],
    });
    this.service.enableDeploymentAlarms([...alarms.names, ...service.release.alarms.names], {
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    });
    this.service.addLifecycleHook(
      new ecs.DeploymentLifecycleLambdaTarget(release.verifier.function, 'Verify', {
        role: release.verifier.invokeRole,
        // Green then answers all test traffic (during TEST_TRAFFIC_SHIFT blue may still answer some).
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      }),
    );
    return alarms;
  }

  /**
   * Service Connect only where a declared call needs it: a called service publishes its port, a
   * calling one is a client; a service in no edge runs no Service Connect proxy at all.
   */
  private serviceConnect(
    config: ResolvedConfig,
    service: ResolvedService,
  ): Pick<ecs.FargateServiceProps, 'serviceConnectConfiguration'> {
    const called = config.services.some((s) => s.calls.includes(service.id));
    if (!called && service.calls.length === 0) return {};
    return {
      serviceConnectConfiguration: {
        services: called ? [{ portMappingName: 'http', dnsName: service.id, port: service.port }] : [],
        logDriver: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'service-connect' }),
      },
    };
  }

  private image(props: WebServiceProps, executionRole: iam.IRole): ecs.ContainerImage {
    const { config, service } = props;
    if (service.image.kind === 'ref') return ecs.ContainerImage.fromRegistry(service.image.ref);
    const repo = ecr.Repository.fromRepositoryAttributes(this, 'Repository', {
      repositoryName: names.repository(config, service),
      repositoryArn: Stack.of(this).formatArn({
        service: 'ecr',
        resource: 'repository',
        resourceName: names.repository(config, service),
      }),
    });
    repo.grantPull(executionRole);
    return ecs.ContainerImage.fromEcrRepository(repo, props.imageVersion);
  }

  private secrets(service: ResolvedService): Record<string, ecs.Secret> {
    return Object.fromEntries(
      Object.entries(service.secrets).map(([name, ref]) => {
        const secret =
          ref.kind === 'ssm'
            ? ssmSecret(
                ssm.StringParameter.fromSecureStringParameterAttributes(this, `Param${name}`, {
                  parameterName: ref.name,
                }),
              )
            : ecs.Secret.fromSecretsManager(
                ref.name.startsWith('arn:')
                  ? secretsmanager.Secret.fromSecretCompleteArn(this, `Secret${name}`, ref.name)
                  : secretsmanager.Secret.fromSecretNameV2(this, `Secret${name}`, ref.name),
                ref.field,
              );
        return [name, secret];
      }),
    );
  }

  private acknowledgeDesignFindings(
    config: ResolvedConfig,
    service: ResolvedService,
    props: WebServiceProps,
  ): void {
    acknowledge(this.taskDefinition, {
      'AwsSolutions-ECS2':
        'Only non-secret settings (PORT, table names, the config environment) are plain variables; secrets use the secrets field.',
    });
    if (props.assignPublicIp) {
      acknowledge(this.service, {
        'cdk-validator-cfnguard::ecs_service_assign_public_ip_disabled_check':
          'network.egress is public-tasks: tasks take public IPs instead of paying for a NAT; their security group admits only the ALB.',
      });
    }
    if (service.image.kind === 'build' || config.guardDuty) {
      acknowledge(this.taskDefinition.obtainExecutionRole(), {
        'AwsSolutions-IAM5[Resource::*]':
          "ecr:GetAuthorizationToken has no resource-level permissions; pulls are limited to this service's repository and, with guardDuty, GuardDuty's agent repository.",
      });
    }
    if (config.exec) {
      acknowledge(this.taskDefinition.taskRole, {
        'AwsSolutions-IAM5[Resource::*]':
          'ECS Exec needs ssmmessages channel actions, which have no resource-level permissions.',
      });
    }
  }
}

/** The ECS deployment settings of a traffic-shifting release (docs/releases.md). */
function deploymentStrategy(service: ResolvedService): Partial<ecs.FargateServiceProps> {
  const { strategy, stepPercent, stepMinutes, bakeMinutes } = service.release;
  const shift = { stepPercent, stepBakeTime: Duration.minutes(stepMinutes) };
  return {
    bakeTime: Duration.minutes(bakeMinutes),
    ...(strategy === 'canary'
      ? { deploymentStrategy: ecs.DeploymentStrategy.CANARY, canaryConfiguration: shift }
      : strategy === 'linear'
        ? { deploymentStrategy: ecs.DeploymentStrategy.LINEAR, linearConfiguration: shift }
        : { deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN }),
  };
}
