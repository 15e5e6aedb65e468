/**
 * Every price the estimator reads, and where the AWS Price List API keeps it: the service code and
 * the usage type (without its region prefix, which differs per region: `USE1-`, `EU-`, none).
 */
export const PRICE_KEYS = {
  albHour: {
    serviceCode: 'AWSELB',
    usagetype: 'LoadBalancerUsage',
    productFamily: 'Load Balancer-Application',
  },
  albLcuHour: { serviceCode: 'AWSELB', usagetype: 'LCUUsage', productFamily: 'Load Balancer-Application' },
  publicIpv4Hour: { serviceCode: 'AmazonVPC', usagetype: 'PublicIPv4:InUseAddress' },
  fargateVcpuHourX86: { serviceCode: 'AmazonECS', usagetype: 'Fargate-vCPU-Hours:perCPU' },
  fargateGbHourX86: { serviceCode: 'AmazonECS', usagetype: 'Fargate-GB-Hours' },
  fargateVcpuHourArm: { serviceCode: 'AmazonECS', usagetype: 'Fargate-ARM-vCPU-Hours:perCPU' },
  fargateGbHourArm: { serviceCode: 'AmazonECS', usagetype: 'Fargate-ARM-GB-Hours' },
  // Derived: 1 - (Spot vCPU-hour / on-demand vCPU-hour), both x86.
  fargateSpotDiscount: { serviceCode: 'AmazonECS', usagetype: 'SpotUsage-Fargate-vCPU-Hours:perCPU' },
  natGatewayHour: { serviceCode: 'AmazonEC2', usagetype: 'NatGateway-Hours' },
  natGatewayGb: { serviceCode: 'AmazonEC2', usagetype: 'NatGateway-Bytes' },
  natInstanceHour: { serviceCode: 'AmazonEC2', usagetype: 'BoxUsage:t4g.nano' },
  ebsGp3GbMonth: { serviceCode: 'AmazonEC2', usagetype: 'EBS:VolumeUsage.gp3' },
  endpointAzHour: { serviceCode: 'AmazonVPC', usagetype: 'VpcEndpoint-Hours' },
  endpointGb: { serviceCode: 'AmazonVPC', usagetype: 'VpcEndpoint-Bytes' },
  logsIngestGb: { serviceCode: 'AmazonCloudWatch', usagetype: 'DataProcessing-Bytes' },
  logsStorageGbMonth: { serviceCode: 'AmazonCloudWatch', usagetype: 'TimedStorage-ByteHrs' },
  metricMonth: { serviceCode: 'AmazonCloudWatch', usagetype: 'CW:MetricMonitorUsage' },
  kmsKeyMonth: { serviceCode: 'awskms', usagetype: 'KMS-Keys' },
  kmsRequest: { serviceCode: 'awskms', usagetype: 'KMS-Requests' },
  route53ZoneMonth: { serviceCode: 'AmazonRoute53', usagetype: 'HostedZone', global: true },
  route53Query: { serviceCode: 'AmazonRoute53', usagetype: 'DNS-Queries', global: true },
  ecrGbMonth: { serviceCode: 'AmazonECR', usagetype: 'TimedStorage-ByteHrs' },
  wafWebAclMonth: { serviceCode: 'awswaf', usagetype: 'WebACL' },
  wafRuleMonth: { serviceCode: 'awswaf', usagetype: 'Rule' },
  wafRequest: { serviceCode: 'awswaf', usagetype: 'Request' },
  secretsManagerSecretMonth: { serviceCode: 'AWSSecretsManager', usagetype: 'AWSSecretsManager-Secrets' },
  dataTransferOutGb: { serviceCode: 'AWSDataTransfer', usagetype: 'DataTransfer-Out-Bytes' },
} as const satisfies Record<string, PriceListQuery>;

export interface PriceListQuery {
  readonly serviceCode: string;
  /** The usage type after the region prefix; matched as a suffix of the product's `usagetype`. */
  readonly usagetype: string;
  readonly productFamily?: string;
  /** Priced the same everywhere; the list has no regionCode for it. */
  readonly global?: boolean;
}

export type PriceKey = keyof typeof PRICE_KEYS;
export const PRICE_KEY_NAMES = Object.keys(PRICE_KEYS) as PriceKey[];
