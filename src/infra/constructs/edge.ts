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
import { listenerRules, type ResolvedConfig } from '../../config/index.ts';
import { acknowledge } from '../acknowledge.ts';
import { names, pascal } from '../naming.ts';

export type EdgeProps = InVpcProps;

/**
 * The public edge: ALB with HTTP->HTTPS redirect, TLS 1.3 listener, ACM certificate for the
 * domain and its subdomains, one target group per routed service, host rules and DNS aliases.
 */
export class Edge extends Construct {
  public readonly alb: elbv2.ApplicationLoadBalancer;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly httpsListener: elbv2.ApplicationListener;
  public readonly targetGroups: Readonly<Record<string, elbv2.ApplicationTargetGroup>>;
  public readonly certificate: acm.Certificate;

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
        'AwsSolutions-EC23':
          'The public web app is served to the whole internet on 80 (redirect only) and 443; narrow with alb.allowedCidrs.',
      });
    }

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs can only be written with SSE-S3, not with a KMS key.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
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
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: config.domain,
      subjectAlternativeNames: [`*.${config.domain}`],
      validation: acm.CertificateValidation.fromDns(zone),
    });

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
    const targetGroups: Record<string, elbv2.ApplicationTargetGroup> = {};
    for (const service of routed) {
      targetGroups[service.id] = new elbv2.ApplicationTargetGroup(this, `${pascal(service.id)}Targets`, {
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
    }
    this.targetGroups = targetGroups;

    const { fallback, rules } = listenerRules(config);
    this.httpsListener = this.alb.addListener('Https', {
      port: 443,
      open: false,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromCertificateManager(this.certificate)],
      sslPolicy: elbv2.SslPolicy.TLS13_RES,
      defaultAction: fallback
        ? elbv2.ListenerAction.forward([targetGroups[fallback.id]!])
        : elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' }),
    });

    rules.forEach((service, index) => {
      const route = service.route!;
      const conditions = [elbv2.ListenerCondition.hostHeaders([route.host])];
      if (route.paths.length > 0) conditions.push(elbv2.ListenerCondition.pathPatterns([...route.paths]));
      this.httpsListener.addAction(`${pascal(service.id)}Rule`, {
        priority: (index + 1) * 10,
        conditions,
        action: elbv2.ListenerAction.forward([targetGroups[service.id]!]),
      });
    });

    const hosts = [...new Set(routed.map((s) => s.route!.host))].sort();
    for (const host of hosts) {
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

    if (config.waf) this.addWaf(config, props.key);
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

  private addWaf(config: ResolvedConfig, key: kms.IKey): void {
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
      rules: managed.map((name, priority) => ({
        name,
        priority,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
      })),
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.alb.loadBalancerArn,
      webAclArn: acl.attrArn,
    });
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      // WAF only logs to groups whose name starts with aws-waf-logs-.
      logGroupName: names.wafLogGroup(config),
      encryptionKey: key,
      retention: config.logs.retentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
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
