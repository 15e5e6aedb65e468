import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { InVpcProps } from './props.ts';
import { listenerRules, NOT_FOUND, type ResolvedConfig } from '../../config/index.ts';
import { shiftsTraffic } from '../../config/services.ts';
import { acknowledge } from '../acknowledge.ts';
import { certificateNames, routedHosts } from '../certificate-names.ts';
import { names, pascal } from '../naming.ts';
import { acknowledgeShortRetention } from '../log-retention.ts';

export type EdgeProps = InVpcProps;

export interface EdgeRelease {
  readonly alternateTargetGroup: elbv2.ApplicationTargetGroup;
  readonly productionRule: elbv2.ApplicationListenerRule;
  readonly testRule: elbv2.ApplicationListenerRule;
}

/** The test listener's port: HTTPS with the same certificate, so the same host names answer on it. */
export const TEST_LISTENER_PORT = 8443;

/**
 * The public edge: ALB with HTTP->HTTPS redirect, TLS 1.3 listener, ACM certificate for the
 * routed names, one target group per routed service, host rules (the apex last), a fixed 404
 * for any other Host, and DNS aliases.
 */
export class Edge extends Construct {
  public readonly alb: elbv2.ApplicationLoadBalancer;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly httpsListener: elbv2.ApplicationListener;
  public readonly targetGroups: Readonly<Record<string, elbv2.ApplicationTargetGroup>>;
  /**
   * Per service with a traffic-shifting release (docs/releases.md): the second target group ECS
   * starts the new (green) tasks in, the production rule whose weights it moves, and the rule on
   * the test listener that reaches green before any user does.
   */
  public readonly releases: Readonly<Record<string, EdgeRelease>>;
  /** The listener that reaches green tasks first; only when a service shifts traffic. */
  public readonly testListener?: elbv2.ApplicationListener;
  /** The app's certificates: one unless its routes answer on more names than one takes (certificate-names.ts). */
  public readonly certificates: readonly acm.Certificate[];
  /** ALB access logs; other buckets log their own access here too. */
  public readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const { config, vpc } = props;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `${config.app} load balancer: 80 and 443 from alb.allowedCidrs`,
      allowAllOutbound: false,
    });
    for (const cidr of config.alb.allowedCidrs) {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), `HTTP from ${cidr}`);
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), `HTTPS from ${cidr}`);
    }
    if (config.alb.allowedCidrs.includes('0.0.0.0/0')) {
      acknowledge(this.securityGroup, {
        'AwsSolutions-EC23': config.services.some(shiftsTraffic)
          ? `The public web app is served to the whole internet on 80 (redirect only) and 443, and a release's new tasks on ${TEST_LISTENER_PORT} before users get them (docs/releases.md); narrow with alb.allowedCidrs.`
          : 'The public web app is served to the whole internet on 80 (redirect only) and 443; narrow with alb.allowedCidrs.',
      });
    }

    const accessLogs = (this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs can only be written with SSE-S3, not with a KMS key.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    acknowledge(accessLogs, {
      'AwsSolutions-S1': 'This bucket holds access logs; logging its own access would recurse.',
      'NIST.800.53.R5-S3BucketLoggingEnabled':
        'This bucket holds access logs; logging its own access would recurse.',
      'PCI.DSS.321-S3BucketLoggingEnabled':
        'This bucket holds access logs; logging its own access would recurse.',
      'HIPAA.Security-S3BucketLoggingEnabled':
        'This bucket holds access logs; logging its own access would recurse.',
      'NIST.800.53.R5-S3BucketReplicationEnabled':
        'Access logs are kept 90 days in one region; replication would double their cost.',
      'PCI.DSS.321-S3BucketReplicationEnabled':
        'Access logs are kept 90 days in one region; replication would double their cost.',
      'HIPAA.Security-S3BucketReplicationEnabled':
        'Access logs are kept 90 days in one region; replication would double their cost.',
      'NIST.800.53.R5-S3DefaultEncryptionKMS': 'ELB writes access logs only to SSE-S3 encrypted buckets.',
      'PCI.DSS.321-S3DefaultEncryptionKMS': 'ELB writes access logs only to SSE-S3 encrypted buckets.',
      'HIPAA.Security-S3DefaultEncryptionKMS': 'ELB writes access logs only to SSE-S3 encrypted buckets.',
      'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check':
        'ELB writes access logs only to SSE-S3 encrypted buckets.',
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check':
        'This bucket holds access logs; logging its own access would recurse.',
      'cdk-validator-cfnguard::s3_event_notifications_enabled_check':
        'Nothing consumes access-log events; notifications would have no subscriber.',
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check':
        'Access logs expire after 90 days by lifecycle; object lock would block that expiry.',
    });

    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      securityGroup: this.securityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
      deletionProtection: config.alb.deletionProtection,
    });
    this.alb.logAccessLogs(accessLogs, 'alb');

    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: config.hostedZone.id,
      zoneName: config.hostedZone.name,
    });
    // More names than one certificate takes get more certificates, all on each HTTPS listener.
    this.certificates = certificateNames(config).map(
      ([domainName, ...others], i) =>
        new acm.Certificate(this, i === 0 ? 'Certificate' : `Certificate${i + 1}`, {
          domainName: domainName!,
          ...(others.length > 0 ? { subjectAlternativeNames: others } : {}),
          validation: acm.CertificateValidation.fromDns(zone),
        }),
    );

    const http = this.alb.addListener('Http', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    const redirectOnly = 'Port 80 only answers 301 to HTTPS; no content is served without TLS.';
    acknowledge(http, {
      'NIST.800.53.R5-ELBv2ACMCertificateRequired': redirectOnly,
      'HIPAA.Security-ELBv2ACMCertificateRequired': redirectOnly,
      'PCI.DSS.321-ELBv2ACMCertificateRequired': redirectOnly,
    });

    const routed = config.services.filter((s) => s.route);
    const shifting = routed.filter(shiftsTraffic);
    const targetGroup = (id: string, service: (typeof routed)[number]) =>
      new elbv2.ApplicationTargetGroup(this, id, {
        vpc,
        port: service.port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targetType: elbv2.TargetType.IP,
        deregistrationDelay: Duration.seconds(service.deregistrationDelaySeconds),
        healthCheck: {
          path: service.healthCheck.path,
          interval: Duration.seconds(service.healthCheck.interval),
          timeout: Duration.seconds(service.healthCheck.timeout),
          healthyThresholdCount: service.healthCheck.healthyThreshold,
          unhealthyThresholdCount: service.healthCheck.unhealthyThreshold,
          healthyHttpCodes: '200',
        },
      });
    const targetGroups: Record<string, elbv2.ApplicationTargetGroup> = {};
    const alternates: Record<string, elbv2.ApplicationTargetGroup> = {};
    for (const service of routed) {
      targetGroups[service.id] = targetGroup(`${pascal(service.id)}Targets`, service);
      if (shiftsTraffic(service))
        alternates[service.id] = targetGroup(`${pascal(service.id)}GreenTargets`, service);
    }
    this.targetGroups = targetGroups;

    const { fallback, rules } = listenerRules(config);
    // A Host header naming none of the routes gets the same 404 as `berth up`'s edge; the
    // apex service is reached through its own rule, last.
    this.httpsListener = this.addHttpsListener('Https', 443);

    // A shifting service's rule forwards to both of its target groups, weighted 100/0: ECS moves
    // the weights during a release and needs a rule (not a listener default) to own.
    const forward = (service: (typeof routed)[number]) =>
      alternates[service.id]
        ? elbv2.ListenerAction.weightedForward([
            { targetGroup: targetGroups[service.id]!, weight: 100 },
            { targetGroup: alternates[service.id]!, weight: 0 },
          ])
        : elbv2.ListenerAction.forward([targetGroups[service.id]!]);
    const ordered = [
      ...rules.map((service) => {
        const route = service.route!;
        const conditions = [elbv2.ListenerCondition.hostHeaders([route.host])];
        if (route.paths.length > 0) conditions.push(elbv2.ListenerCondition.pathPatterns([...route.paths]));
        return { service, id: `${pascal(service.id)}Rule`, conditions };
      }),
      ...(fallback
        ? [
            {
              service: fallback,
              id: 'ApexRule',
              conditions: [elbv2.ListenerCondition.hostHeaders([config.domain])],
            },
          ]
        : []),
    ];
    const productionRules: Record<string, elbv2.ApplicationListenerRule> = {};
    ordered.forEach(({ service, id, conditions }, index) => {
      this.httpsListener.addAction(id, { priority: (index + 1) * 10, conditions, action: forward(service) });
      productionRules[service.id] = this.httpsListener.node.findChild(
        `${id}Rule`,
      ) as elbv2.ApplicationListenerRule;
    });

    const releases: Record<string, EdgeRelease> = {};
    if (shifting.length > 0) {
      const testListener = this.addTestListener(config);
      ordered.forEach(({ service, id, conditions }, index) => {
        if (!alternates[service.id]) return;
        testListener.addAction(id, { priority: (index + 1) * 10, conditions, action: forward(service) });
        releases[service.id] = {
          alternateTargetGroup: alternates[service.id]!,
          productionRule: productionRules[service.id]!,
          testRule: testListener.node.findChild(`${id}Rule`) as elbv2.ApplicationListenerRule,
        };
      });
      this.testListener = testListener;
    }
    this.releases = releases;

    for (const host of routedHosts(config)) {
      new route53.ARecord(
        this,
        // 'ApexAlias' cannot collide with Alias<Label>, whatever the labels are.
        host === config.domain ? 'ApexAlias' : `Alias${pascal(host.slice(0, -config.domain.length - 1))}`,
        {
          zone,
          recordName: `${host}.`,
          target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.alb)),
        },
      );
    }

    if (config.waf) this.addWaf(config, config.waf, props.key);
    else {
      const reason =
        'WAF is off in this config (waf: false) to save its monthly cost; set waf: true to attach AWS managed rules.';
      acknowledge(this.alb, {
        'NIST.800.53.R5-ALBWAFEnabled': reason,
        'PCI.DSS.321-ALBWAFEnabled': reason,
        'HIPAA.Security-ALBWAFEnabled': reason,
      });
    }
  }

  /**
   * Port 8443, HTTPS with the production certificate and TLS policy, open to the same
   * `alb.allowedCidrs` as 443 (docs/releases.md argues why not narrower). Any Host it does not
   * route gets the edge's 404, as on 443.
   */
  private addTestListener(config: ResolvedConfig): elbv2.ApplicationListener {
    for (const cidr of config.alb.allowedCidrs)
      this.securityGroup.addIngressRule(
        ec2.Peer.ipv4(cidr),
        ec2.Port.tcp(TEST_LISTENER_PORT),
        `Release test traffic from ${cidr}`,
      );
    if (config.alb.allowedCidrs.includes('0.0.0.0/0'))
      acknowledge(this.securityGroup, {
        'cdk-validator-cfnguard::vpc_sg_open_only_to_authorized_ports_check': `Port ${TEST_LISTENER_PORT} serves a release's new tasks over HTTPS to the same alb.allowedCidrs as 443, minutes before 443 serves them; the verifier hook calls it from AWS Lambda's public addresses (docs/releases.md).`,
      });
    return this.addHttpsListener('Test', TEST_LISTENER_PORT);
  }

  /** An HTTPS listener with the app's certificate and TLS 1.3 policy; what no rule routes gets the edge's 404. */
  private addHttpsListener(id: string, port: number): elbv2.ApplicationListener {
    return this.alb.addListener(id, {
      port,
      open: false,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: this.certificates.map((c) => elbv2.ListenerCertificate.fromCertificateManager(c)),
      sslPolicy: elbv2.SslPolicy.TLS13_RES,
      defaultAction: elbv2.ListenerAction.fixedResponse(NOT_FOUND.status, {
        contentType: NOT_FOUND.contentType,
        messageBody: NOT_FOUND.body,
      }),
    });
  }

  private addWaf(config: ResolvedConfig, waf: { readonly rateLimit: number }, key: kms.IKey): void {
    const managed = [
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
    ];
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: names.waf(config),
        sampledRequestsEnabled: true,
      },
      rules: [
        // First, so a flood from one address is cut before the managed rules spend capacity on it.
        {
          name: 'RatePerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: waf.rateLimit, aggregateKeyType: 'IP' } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'RatePerIp',
            sampledRequestsEnabled: true,
          },
        },
        ...managed.map((name, index) => ({
          name,
          priority: index + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: name,
            sampledRequestsEnabled: true,
          },
        })),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.alb.loadBalancerArn,
      webAclArn: acl.attrArn,
    });
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      // WAF only logs to groups whose name starts with aws-waf-logs-.
      logGroupName: names.wafLogGroup(config),
      encryptionKey: key,
      retention: config.logs.securityRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeShortRetention(
      wafLogs,
      config.logs.securityRetentionDays,
      'logs.securityRetentionDays',
      'WAF request logs',
    );
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      // Credentials and sessions stay out of the logs; WAF still matches on them.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
      // WAF wants the log group ARN without the `:*` that LogGroup.logGroupArn carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });
  }
}
