import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { AcknowledgedFinding, Finding } from './findings.ts';

interface ReportConstruct {
  readonly constructPath?: string;
  readonly cloudFormationResource?: { readonly logicalId?: string; readonly templatePath?: string };
}
interface ReportViolation {
  readonly ruleName: string;
  readonly description?: string;
  readonly suggestedFix?: string;
  readonly severity?: string;
  readonly violatingConstructs?: readonly ReportConstruct[];
}
interface ValidationReport {
  readonly pluginReports?: readonly {
    readonly pluginName: string;
    readonly violations?: readonly ReportViolation[];
  }[];
}

/** The pack name of Control Tower's findings and acknowledgements. */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/** Reads CDK's validation report (cdk-nag packs and Control Tower rules) into findings. */
export function findingsFromValidationReport(report: unknown): Finding[] {
  const findings: Finding[] = [];
  for (const plugin of (report as ValidationReport | undefined)?.pluginReports ?? []) {
    const controlTower = plugin.pluginName === CONTROL_TOWER_PLUGIN;
    for (const v of plugin.violations ?? []) {
      for (const c of constructsOf(v)) {
        findings.push({
          source: controlTower ? 'control-tower' : 'cdk-nag',
          pack: plugin.pluginName,
          rule: controlTower ? controlTowerId(v) : v.ruleName,
          severity: v.severity === 'warning' ? 'warning' : v.severity === 'info' ? 'info' : 'error',
          resource: c,
          message: stripControlIds(
            controlTower
              ? (v.description ?? '').replace(/^\[[^\]]+\]:\s*/, '')
              : (v.description ?? v.ruleName),
          ),
          ...(v.suggestedFix ? { fix: v.suggestedFix.replace(/^\[FIX\]:\s*/, '') } : {}),
        });
      }
    }
  }
  return findings;
}

function constructsOf(v: ReportViolation): string[] {
  const list = v.violatingConstructs ?? [];
  return list.length === 0
    ? ['(stack)']
    : list.map((c) => c.constructPath ?? c.cloudFormationResource?.logicalId ?? '(unknown)');
}

/** Control Tower rules are named like `ecs_task_definition_memory_hard_limit_check`; users know them as CT.ECS.PR.7. */
function controlTowerId(v: ReportViolation): string {
  return /^\[(CT\.[A-Z0-9_.]+)\]/.exec(v.description ?? '')?.[1] ?? v.ruleName;
}

/**
 * cdk-nag ends a HIPAA, NIST or PCI message with ` - (Control IDs: ...).`; the ids hold parentheses
 * of their own (`164.308(a)(7)(i)`), so the list ends at the parenthesis that closes its own.
 */
export function stripControlIds(text: string): string {
  const found = /\s*-\s*\(Control IDs:/.exec(text);
  if (!found) return text.trim();
  let depth = 0;
  let end = text.length;
  for (let i = found.index + found[0].length - 'Control IDs:'.length - 1; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')' && --depth === 0) {
      end = i + 1;
      break;
    }
  }
  if (text[end] === '.') end += 1;
  return (text.slice(0, found.index) + text.slice(end)).trim();
}

/** Every acknowledgement declared in the construct tree, with its reason. */
export function declaredAcknowledgements(root: IConstruct): AcknowledgedFinding[] {
  const out: AcknowledgedFinding[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualified, reason] of Object.entries(entry.data as Record<string, string>)) {
        // cdk-nag ids arrive as `Annotation::<rule>`; plugin ids as `<plugin>::<rule>`. A rule may hold `::` itself.
        const match = /^([A-Za-z0-9-]+)::(.*)$/.exec(qualified);
        const namespace = match?.[1] ?? '';
        // CDK's own built-in template validation is off (cfn-lint runs instead); its acknowledgements do not apply.
        if (namespace === 'CloudFormation-Validate') continue;
        const rule = match?.[2] ?? qualified;
        out.push({
          // cdk-nag's rule ids start with their pack's name, the name its findings carry.
          pack: namespace === 'Annotation' ? rule.slice(0, Math.max(rule.indexOf('-'), 0)) : namespace,
          rule,
          resource: construct.node.path,
          reason,
        });
      }
    }
  }
  return out;
}
