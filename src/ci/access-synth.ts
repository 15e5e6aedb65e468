import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, DefaultStackSynthesizer } from 'aws-cdk-lib';
import type { CompliancePack } from '../config/index.ts';
import { findingsFromValidationReport } from '../checks/validation-report.ts';
import type { Finding } from '../checks/findings.ts';
import { CiAccessStack, type CiAccessStackProps } from './access-stack.ts';
import { addCompliancePacks } from '../infra/compliance-packs.ts';

export interface CiAccessAssembly {
  readonly outdir: string;
  readonly stackName: string;
  readonly template: Record<string, unknown>;
  readonly stack: CiAccessStack;
  /** Unacknowledged findings of the config's cdk-nag packs on this stack. */
  readonly findings: readonly Finding[];
}

/**
 * Synthesizes the CI access stack into a cloud assembly the toolkit deploys from, with the
 * config's cdk-nag packs run on it (berth holds its own stacks to the packs it holds the app to).
 */
export function synthCiAccess(
  stackName: string,
  props: CiAccessStackProps & { readonly account: string; readonly region: string },
  packs: readonly CompliancePack[],
): CiAccessAssembly {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'berth-ci-access-'));
  const app = new App({
    outdir,
    analyticsReporting: false,
    context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
    builtinCloudFormationValidation: false,
  });
  const stack = new CiAccessStack(app, stackName, {
    ...props,
    env: { account: props.account, region: props.region },
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    description: `berth: OpenID Connect access for the CI of ${props.app} (${props.repo})`,
  });
  addCompliancePacks(app, packs);
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stackName);
  const template = JSON.parse(
    readFileSync(path.join(assembly.directory, artifact.templateFile), 'utf8'),
  ) as Record<string, unknown>;
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  if (packs.length > 0 && !existsSync(reportFile))
    throw new Error(`CDK wrote no validation report at ${reportFile}`);
  const findings =
    packs.length > 0 ? findingsFromValidationReport(JSON.parse(readFileSync(reportFile, 'utf8'))) : [];
  return { outdir, stackName, template, stack, findings };
}
