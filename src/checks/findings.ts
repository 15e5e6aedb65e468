/** One thing a check found wrong, in a shape every renderer and test can read. */
export interface Finding {
  /** Which tool found it. */
  readonly source: 'cdk-nag' | 'control-tower' | 'cfn-lint' | 'reachability';
  /** Pack or plugin, e.g. `AwsSolutions`, `NIST.800.53.R5`, `cdk-validator-cfnguard`, `cfn-lint`, `Reachability`. */
  readonly pack: string;
  /** Rule id, e.g. `AwsSolutions-EC23`, `CT.ECS.PR.7`, `E3001`, `Reachability-Logs`. */
  readonly rule: string;
  readonly severity: 'error' | 'warning' | 'info';
  /** Construct path or template location. */
  readonly resource: string;
  readonly message: string;
  /** What to change, when the tool says. */
  readonly fix?: string;
}

/** A finding that the design acknowledges, with the reason given in code. */
export interface AcknowledgedFinding {
  readonly pack: string;
  readonly rule: string;
  readonly resource: string;
  readonly reason: string;
}

export const SEVERITY_ORDER: Readonly<Record<Finding['severity'], number>> = {
  error: 0,
  warning: 1,
  info: 2,
};
