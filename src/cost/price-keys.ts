/**
 * Every price the estimator reads, and where the AWS Price List API keeps it: the service code and
 * the usage type (without its region prefix, which differs per region: `USE1-`, `EU-`, none).
 */
export const PRICE_KEYS = {
  albHour: {
    unit: 'ALB-hour',
    what: 'Application Load Balancer, per hour',
    serviceCode: 'AWSELB',
    usagetype: 'LoadBalancerUsage',
    productFamily: 'Load Balancer-Application',
  },
  albLcuHour: {
    unit: 'LCU-hour',
    what: 'Application Load Balancer capacity unit, per hour',
    serviceCode: 'AWSELB',
    usagetype: 'LCUUsage',
    productFamily: 'Load Balancer-Application',
  },
  publicIpv4Hour: {
    unit: 'IPv4 address-hour',
    what: 'public IPv4 address in use, per hour',
    serviceCode: 'AmazonVPC',
    usagetype: 'PublicIPv4:InUseAddress',
  },
  fargateVcpuHourX86: {
    unit: 'vCPU-hour',
    what: 'Fargate x86_64 vCPU, per hour',
    serviceCode: 'AmazonECS',
    usagetype: 'Fargate-vCPU-Hours:perCPU',
  },
  fargateGbHourX86: {
    unit: 'GB-hour',
    what: 'Fargate x86_64 memory, per GB-hour',
    serviceCode: 'AmazonECS',
    usagetype: 'Fargate-GB-Hours',
  },
  fargateVcpuHourArm: {
    unit: 'vCPU-hour',
    what: 'Fargate arm64 (Graviton) vCPU, per hour',
    serviceCode: 'AmazonECS',
    usagetype: 'Fargate-ARM-vCPU-Hours:perCPU',
  },
  fargateGbHourArm: {
    unit: 'GB-hour',
    what: 'Fargate arm64 (Graviton) memory, per GB-hour',
    serviceCode: 'AmazonECS',
    usagetype: 'Fargate-ARM-GB-Hours',
  },
  // Derived: 1 - (Spot vCPU-hour / on-demand vCPU-hour), both x86.
  fargateSpotDiscount: {
    unit: 'fraction',
    what: 'Fargate Spot discount off the on-demand rate (1 - Spot vCPU rate / on-demand vCPU rate)',
    serviceCode: 'AmazonECS',
    usagetype: 'SpotUsage-Fargate-vCPU-Hours:perCPU',
  },
  natGatewayHour: {
    unit: 'NAT gateway-hour',
    what: 'NAT gateway, per hour',
    serviceCode: 'AmazonEC2',
    usagetype: 'NatGateway-Hours',
  },
  natGatewayGb: {
    unit: 'GB',
    what: 'NAT gateway data processed, per GB',
    serviceCode: 'AmazonEC2',
    usagetype: 'NatGateway-Bytes',
  },
  natInstanceHour: {
    unit: 'instance-hour',
    what: 't4g.nano Linux on-demand (the NAT instance), per hour',
    serviceCode: 'AmazonEC2',
    usagetype: 'BoxUsage:t4g.nano',
  },
  ebsGp3GbMonth: {
    unit: 'GB-month',
    what: 'EBS gp3 storage, per GB-month',
    serviceCode: 'AmazonEC2',
    usagetype: 'EBS:VolumeUsage.gp3',
  },
  endpointAzHour: {
    unit: 'endpoint AZ-hour',
    what: 'interface VPC endpoint, per AZ per hour',
    serviceCode: 'AmazonVPC',
    usagetype: 'VpcEndpoint-Hours',
  },
  endpointGb: {
    unit: 'GB',
    what: 'interface VPC endpoint data processed, per GB',
    serviceCode: 'AmazonVPC',
    usagetype: 'VpcEndpoint-Bytes',
  },
  logsIngestGb: {
    unit: 'GB',
    what: 'CloudWatch Logs ingestion (standard class), per GB',
    serviceCode: 'AmazonCloudWatch',
    usagetype: 'DataProcessing-Bytes',
  },
  logsStorageGbMonth: {
    unit: 'GB-month',
    what: 'CloudWatch Logs storage, per GB-month',
    serviceCode: 'AmazonCloudWatch',
    usagetype: 'TimedStorage-ByteHrs',
  },
  metricMonth: {
    unit: 'metric-month',
    what: 'CloudWatch custom metric (Container Insights metrics are billed as these), first 10,000, per metric-month',
    serviceCode: 'AmazonCloudWatch',
    usagetype: 'CW:MetricMonitorUsage',
  },
  alarmMetricMonth: {
    unit: 'alarm metric-month',
    what: 'CloudWatch standard-resolution alarm, per metric it evaluates, per month',
    serviceCode: 'AmazonCloudWatch',
    usagetype: 'CW:AlarmMonitorUsage',
  },
  kmsKeyMonth: {
    unit: 'key-month',
    what: 'KMS customer managed key, per month',
    serviceCode: 'awskms',
    usagetype: 'KMS-Keys',
  },
  kmsRequest: {
    unit: 'request',
    what: 'KMS symmetric request ($0.03 per 10,000)',
    serviceCode: 'awskms',
    usagetype: 'KMS-Requests',
  },
  route53ZoneMonth: {
    unit: 'zone-month',
    what: 'Route 53 hosted zone (first 25), per month',
    serviceCode: 'AmazonRoute53',
    usagetype: 'HostedZone',
    global: true,
  },
  route53Query: {
    unit: 'query',
    what: 'Route 53 standard query ($0.40 per million; alias queries to an ALB are free)',
    serviceCode: 'AmazonRoute53',
    usagetype: 'DNS-Queries',
    global: true,
  },
  ecrGbMonth: {
    unit: 'GB-month',
    what: 'ECR private repository storage, per GB-month',
    serviceCode: 'AmazonECR',
    usagetype: 'TimedStorage-ByteHrs',
  },
  wafWebAclMonth: {
    unit: 'web ACL-month',
    what: 'AWS WAF web ACL, per month',
    serviceCode: 'awswaf',
    usagetype: 'WebACL',
  },
  wafRuleMonth: {
    unit: 'rule-month',
    what: 'AWS WAF rule or managed rule group, per month',
    serviceCode: 'awswaf',
    usagetype: 'Rule',
  },
  wafRequest: {
    unit: 'request',
    what: 'AWS WAF request inspected ($0.60 per million)',
    serviceCode: 'awswaf',
    usagetype: 'Request',
  },
  secretsManagerSecretMonth: {
    unit: 'secret-month',
    what: 'Secrets Manager secret, per month',
    serviceCode: 'AWSSecretsManager',
    usagetype: 'AWSSecretsManager-Secrets',
  },
  dataTransferOutGb: {
    unit: 'GB',
    what: 'data transfer out to the internet, first 10 TB tier, per GB',
    serviceCode: 'AWSDataTransfer',
    usagetype: 'DataTransfer-Out-Bytes',
  },
} as const satisfies Record<string, PriceListQuery>;

export interface PriceListQuery {
  /** What one unit is, as the table states it. */
  readonly unit: string;
  readonly what: string;
  readonly serviceCode: string;
  /** The usage type after the region prefix; matched as a suffix of the product's `usagetype`. */
  readonly usagetype: string;
  readonly productFamily?: string;
  /** Priced the same everywhere; the list has no regionCode for it. */
  readonly global?: boolean;
}

export type PriceKey = keyof typeof PRICE_KEYS;
export const PRICE_KEY_NAMES = Object.keys(PRICE_KEYS) as PriceKey[];
