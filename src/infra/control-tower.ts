import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/**
 * Every AWS Control Tower proactive control bundled as cfn-guard rules. No rule is disabled:
 * where the design departs from one, the finding is acknowledged on the construct, with its
 * reason (docs/compliance.md), so the rule still guards every other resource.
 */
export function controlTowerPlugin(): CfnGuardValidator {
  return new CfnGuardValidator({ controlTowerRulesEnabled: true });
}
