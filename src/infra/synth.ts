import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { ResolvedConfig } from '../config/index.ts';
import { OutdirNotEmptyError } from './errors.ts';
import { AppStack } from './stacks/app-stack.ts';
import { RegistryStack } from './stacks/registry-stack.ts';
import { names } from './naming.ts';
import { controlTowerPlugin } from './control-tower.ts';
import { addCompliancePacks } from './compliance-packs.ts';

export interface SynthOptions {
  /** Directory for the cloud assembly. @default a new temporary directory */
  readonly outdir?: string;
  /** Image tag or digest per built service. @default 'initial' */
  readonly imageVersions?: Readonly<Record<string, string>>;
  /** Run the compliance plugins (cdk-nag packs, Control Tower rules). @default true */
  readonly validate?: boolean;
}

export interface SynthResult {
  readonly outdir: string;
  readonly assembly: CloudAssembly;
  readonly app: App;
  readonly registryStack: RegistryStack;
  readonly appStack: AppStack;
  /** Template file per stack name. */
  readonly templates: Readonly<Record<string, string>>;
  /** The CDK validation report (cdk-nag and Control Tower findings), when validation ran. */
  readonly validationReport?: unknown;
}

/** Builds the CDK app for a config and synthesizes it. Offline and deterministic: no lookups, no timestamps. */
export function synth(config: ResolvedConfig, options: SynthOptions = {}): SynthResult {
  const outdir = options.outdir
    ? prepareOutdir(options.outdir)
    : mkdtempSync(path.join(os.tmpdir(), 'berth-synth-'));
  const { account, region } = config.env;
  const app = new App({
    outdir,
    analyticsReporting: false,
    context: {
      // Pinned so synth never looks up availability zones.
      [`availability-zones:account=${account}:region=${region}`]: ['a', 'b', 'c'].map((z) => `${region}${z}`),
      // berth reads the validation report itself and renders it; CDK must not print or throw.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      // Buckets that receive S3 server access logs grant it by bucket policy, not by ACL: the
      // access-log bucket enforces bucket-owner ownership, which turns ACLs off.
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
    },
    builtinCloudFormationValidation: false,
  });
  const env = { account, region };
  const synthesizer = () => new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });
  const registryStack = new RegistryStack(app, names.registryStack(config), {
    config,
    env,
    synthesizer: synthesizer(),
    description: `berth: ${config.app} image repositories`,
  });
  const appStack = new AppStack(app, names.appStack(config), {
    config,
    env,
    synthesizer: synthesizer(),
    imageVersions: options.imageVersions ?? {},
    description: `berth: ${config.app} on ECS Fargate`,
  });
  appStack.addStackDependency(registryStack, 'images are pushed before services start');

  // With no pack and no Control Tower there is no plugin to run, and CDK writes no report.
  const validate =
    (options.validate ?? true) && (config.compliance.packs.length > 0 || config.compliance.controlTower);
  if (validate) {
    addCompliancePacks(app, config.compliance.packs);
    if (config.compliance.controlTower) Validations.of(app).addPlugins(controlTowerPlugin());
  }

  const assembly = app.synth();
  const templates = Object.fromEntries(
    assembly.stacks.map((s) => [s.stackName, path.join(assembly.directory, s.templateFile)]),
  );
  let validationReport: unknown;
  if (validate) {
    const reportFile = path.join(assembly.directory, 'validation-report.json');
    // The plugins ran, so CDK wrote a report; without it a check would pass on nothing.
    if (!existsSync(reportFile)) throw new Error(`CDK wrote no validation report at ${reportFile}`);
    validationReport = JSON.parse(readFileSync(reportFile, 'utf8'));
  }
  return { outdir, assembly, app, registryStack, appStack, templates, validationReport };
}

/** Clears an earlier cloud assembly, but never a directory that holds anything else. */
function prepareOutdir(dir: string): string {
  const outdir = path.resolve(dir);
  if (existsSync(outdir) && readdirSync(outdir).length > 0) {
    if (!existsSync(path.join(outdir, 'manifest.json'))) throw new OutdirNotEmptyError(outdir);
    rmSync(outdir, { recursive: true, force: true });
  }
  mkdirSync(outdir, { recursive: true });
  return outdir;
}
