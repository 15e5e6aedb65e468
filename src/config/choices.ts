/**
 * The fixed choices of a few config fields, apart from the schema so that the schema, the stage
 * schema and the resolved types share them without importing one another.
 */
export const EGRESS_STRATEGIES = ['nat-gateway', 'nat-instance', 'endpoints', 'public-tasks'] as const;
export const COMPLIANCE_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;
export const RELEASE_STRATEGIES = ['rolling', 'blue-green', 'canary', 'linear'] as const;

export type EgressStrategy = (typeof EGRESS_STRATEGIES)[number];
export type CompliancePack = (typeof COMPLIANCE_PACKS)[number];
export type ReleaseStrategy = (typeof RELEASE_STRATEGIES)[number];
