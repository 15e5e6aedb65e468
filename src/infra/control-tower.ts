import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/**
 * Control Tower proactive controls that this design does not meet on purpose. Each one is
 * explained in docs/compliance.md; everything else must pass.
 */
export const CONTROL_TOWER_EXCEPTIONS: Readonly<Record<string, string>> = {};

/** The AWS Control Tower proactive controls as cfn-guard rules, minus the documented exceptions. */
export function controlTowerPlugin(): CfnGuardValidator {
  return new CfnGuardValidator({
    controlTowerRulesEnabled: true,
    disabledRules: Object.keys(CONTROL_TOWER_EXCEPTIONS),
  });
}
