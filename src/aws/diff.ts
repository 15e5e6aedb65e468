import { DiffMethod, ExpandStackSelection, StackSelectionStrategy } from '@aws-cdk/toolkit-lib';
import type { ResolvedConfig } from '../config/index.ts';
import { synthAssembly, type TemplateTransform } from './assembly.ts';
import { imagesIn } from './deploy/deployed-images.ts';
import { deployedAppTemplate } from './deploy/deployed-template.ts';
import { imageChanges, type ImageChange } from './deploy/image-changes.ts';
import { COST_INPUTS_KEY, costInputsIn, deployCostChange } from './deploy/cost-inputs.ts';
import type { CostChange } from '../cost/index.ts';
import type { AwsNotify } from './events.ts';
import { assertAccount } from './identity.ts';
import { makeToolkit } from './toolkit.ts';

export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  /** CloudFormation's impact, from the toolkit: WILL_CREATE, WILL_UPDATE, WILL_REPLACE, MAY_REPLACE, WILL_DESTROY, ... */
  readonly impact: string;
  /** The properties that change, for an update. */
  readonly properties: readonly string[];
}

export interface StackDiff {
  readonly stack: string;
  readonly resources: readonly ResourceChange[];
  /** IAM statement and managed-policy changes, as rows: change (+/-), resource, effect, action, principal, condition. */
  readonly iam: readonly (readonly string[])[];
  /** Security group rule changes, as rows: change (+/-), group, direction, protocol, peer. */
  readonly securityGroups: readonly (readonly string[])[];
  /** True when the change widens what a principal may do. */
  readonly permissionsBroadened: boolean;
  /** Changes outside Resources (outputs, parameters, conditions...). */
  readonly otherChanges: number;
}

export interface DiffResult {
  readonly stage: string;
  readonly stacks: readonly StackDiff[];
  /** Per built service: whether a deploy would push a new image (and so update its task definition). */
  readonly images: readonly ImageChange[];
  /** The monthly cost change of the config's change (src/cost costChange), when it can be told. */
  readonly cost?: CostChange;
  /** Why there is no cost change, when there is none. */
  readonly costNote?: string;
  readonly changed: boolean;
}

export interface DiffOptions {
  readonly notify: AwsNotify;
  /**
   * `change-set` asks CloudFormation (what a deploy will do, including replacements it decides);
   * `template` compares with the deployed template only (fast; for emulators). @default 'change-set'
   */
  readonly method?: 'change-set' | 'template';
  readonly transform?: TemplateTransform;
}

/**
 * `berth diff`: what a deploy of the config would change, stack by stack and resource by resource,
 * with IAM and security-group changes called out (the toolkit's diff). The app stack is synthesized
 * with the image digests it runs now, so the resources show what the config changes; which
 * services get a new image (and so a new task definition) comes from git (`images`): a new
 * digest is only known after a build.
 */
export async function diff(config: ResolvedConfig, options: DiffOptions): Promise<DiffResult> {
  await assertAccount(config, options.notify);
  const template = await deployedAppTemplate(config);
  const deployed = imagesIn(config, template);
  const images = await imageChanges(config, deployed);
  const cost = await deployCostChange(config, costInputsIn(config, template));
  const assembly = synthAssembly(config, {
    imageVersions: deployed,
    ...(options.transform ? { transform: options.transform } : {}),
  });
  const { toolkit } = makeToolkit(options.notify);
  const cx = await toolkit.fromAssemblyDirectory(assembly.outdir);
  const diffs = await toolkit.diff(cx, {
    stacks: {
      strategy: StackSelectionStrategy.PATTERN_MUST_MATCH,
      patterns: [assembly.registryStack, assembly.appStack],
      expand: ExpandStackSelection.NONE,
    },
    method:
      options.method === 'template'
        ? DiffMethod.TemplateOnly()
        : DiffMethod.ChangeSet({ fallbackToTemplate: true }),
  });
  const stacks: StackDiff[] = [assembly.registryStack, assembly.appStack].map((stack) => {
    const d = diffs[stack];
    if (!d)
      return {
        stack,
        resources: [],
        iam: [],
        securityGroups: [],
        permissionsBroadened: false,
        otherChanges: 0,
      };
    const resources = Object.entries(d.resources.changes)
      .filter(([, r]) => r.isDifferent)
      .map(([logicalId, r]) => ({
        logicalId,
        type: r.resourceType ?? r.newResourceType ?? r.oldResourceType ?? '',
        impact: String(r.changeImpact),
        properties: r.isUpdate ? Object.keys(r.propertyUpdates).sort() : [],
      }))
      .sort((a, b) => a.logicalId.localeCompare(b.logicalId));
    return {
      stack,
      resources,
      iam: d.iamChanges.hasChanges
        ? [
            ...d.iamChanges.summarizeStatements().slice(1),
            ...d.iamChanges.summarizeManagedPolicies().slice(1),
          ]
        : [],
      securityGroups: d.securityGroupChanges.hasChanges ? d.securityGroupChanges.summarize().slice(1) : [],
      permissionsBroadened: d.permissionsBroadened,
      // The recorded config (COST_INPUTS_KEY) changes with any config change; the cost line says how.
      otherChanges:
        d.differenceCount -
        d.resources.differenceCount -
        (d.metadata.changes[COST_INPUTS_KEY]?.isDifferent ? 1 : 0),
    };
  });
  return {
    stage: config.stage,
    stacks,
    images,
    ...(cost.change ? { cost: cost.change } : {}),
    ...(cost.note ? { costNote: cost.note } : {}),
    changed:
      stacks.some((s) => s.resources.length > 0 || s.otherChanges > 0) ||
      images.some((i) => i.change === 'new' || i.change === 'rebuild'),
  };
}
