import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMPLIANCE_PACKS, type CompliancePack, type ResolvedConfig } from '../config/index.ts';
import { names, synth, type SynthOptions } from '../infra/index.ts';
import { lintTemplates } from './cfn-lint.ts';
import { SEVERITY_ORDER, type AcknowledgedFinding, type Finding } from './findings.ts';
import { checkReachability, type PathResult } from './reachability/index.ts';
import {
  CONTROL_TOWER_PLUGIN,
  declaredAcknowledgements,
  findingsFromValidationReport,
} from './validation-report.ts';

export interface CheckOptions extends Pick<SynthOptions, 'outdir' | 'imageVersions'> {
  /** Skip cfn-lint (for machines without it). @default false */
  readonly skipLint?: boolean;
}

export interface CheckResult {
  /** Unacknowledged findings, errors first. */
  readonly findings: readonly Finding[];
  readonly acknowledged: readonly AcknowledgedFinding[];
  /** Which checks ran. */
  readonly ran: readonly string[];
  /** Every network path the reachability check evaluated, passed or not. */
  readonly reachability: readonly PathResult[];
  /** True when nothing unacknowledged was found. */
  readonly passed: boolean;
}

/**
 * Synthesizes the config and runs every check: cdk-nag packs, Control Tower rules, the offline
 * reachability check of the app stack's network, cfn-lint.
 */
export async function check(config: ResolvedConfig, options: CheckOptions = {}): Promise<CheckResult> {
  // Without an outdir the assembly is a temporary directory, removed once the checks have read it.
  const outdir = options.outdir ?? mkdtempSync(path.join(os.tmpdir(), 'berth-check-'));
  try {
    return await checkIn(config, { ...options, outdir });
  } finally {
    if (!options.outdir) rmSync(outdir, { recursive: true, force: true });
  }
}

/** One stage's checks, named. */
export interface StageCheckResult extends CheckResult {
  readonly stage: string;
  readonly account: string;
  readonly region: string;
}

/** The checks of every stage a config declares. */
export interface StagesCheckResult {
  readonly stages: readonly StageCheckResult[];
  /** True when no stage has an unacknowledged finding. */
  readonly passed: boolean;
}

/**
 * `check` for each stage, one after the other (each is its own synth: a stage's egress, WAF or
 * retention makes other resources, and so other findings).
 */
export async function checkStages(
  configs: readonly ResolvedConfig[],
  options: CheckOptions = {},
): Promise<StagesCheckResult> {
  const stages: StageCheckResult[] = [];
  for (const config of configs) {
    const result = await check(config, options);
    stages.push({ stage: config.stage, account: config.env.account, region: config.env.region, ...result });
  }
  return { stages, passed: stages.every((s) => s.passed) };
}

async function checkIn(config: ResolvedConfig, options: CheckOptions): Promise<CheckResult> {
  const result = synth(config, { ...options, validate: true });
  const findings = findingsFromValidationReport(result.validationReport);
  // An acknowledgement counts for a check that ran: with `packs: []` there is nothing to acknowledge.
  const acknowledged = declaredAcknowledgements(result.app).filter((a) =>
    a.pack === CONTROL_TOWER_PLUGIN
      ? config.compliance.controlTower
      : !isNagPack(a.pack) || config.compliance.packs.includes(a.pack),
  );
  const ran = [...config.compliance.packs.map((p) => `cdk-nag ${p}`)];
  if (config.compliance.controlTower) ran.push('Control Tower proactive controls (cfn-guard)');
  const stack = result.appStack.stackName;
  const reachability = checkReachability(JSON.parse(readFileSync(result.templates[stack]!, 'utf8')), {
    env: config.env,
    stack,
    services: config.services.map((s) => ({
      id: s.id,
      serviceName: names.service(config, s),
      calls: s.calls,
    })),
  });
  findings.push(...reachability.findings);
  ran.push(`reachability (${reachability.paths.length} network paths)`);
  if (!options.skipLint) {
    findings.push(...(await lintTemplates(Object.values(result.templates))));
    ran.push('cfn-lint');
  }
  findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.rule.localeCompare(b.rule) ||
      a.resource.localeCompare(b.resource),
  );
  return {
    findings,
    acknowledged,
    ran,
    reachability: reachability.paths,
    passed: findings.length === 0,
  };
}

function isNagPack(pack: string): pack is CompliancePack {
  return (COMPLIANCE_PACKS as readonly string[]).includes(pack);
}
