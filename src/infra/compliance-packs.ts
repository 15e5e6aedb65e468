import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import type { CompliancePack } from '../config/index.ts';

const PACKS = {
  AwsSolutions: AwsSolutionsChecks,
  'NIST.800.53.R5': NIST80053R5Checks,
  'HIPAA.Security': HIPAASecurityChecks,
  'PCI.DSS.321': PCIDSS321Checks,
} as const;

/** The config's cdk-nag packs as CDK validation plugins: every stack berth makes is held to them. */
export function addCompliancePacks(app: App, packs: readonly CompliancePack[]): void {
  for (const pack of packs) Validations.of(app).addPlugins(new PACKS[pack](app));
}
