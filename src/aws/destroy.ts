import { ExpandStackSelection, StackSelectionStrategy } from '@aws-cdk/toolkit-lib';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeLoadBalancerAttributesCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResolvedConfig } from '../config/index.ts';
import { BerthError, firstLine } from '../shared/errors.ts';
import { synthAssembly } from './assembly.ts';
import { clientConfig } from './clients.ts';
import type { AwsNotify } from './events.ts';
import { assertAccount } from './identity.ts';
import { stackStatus } from './stack-state.ts';
import { makeToolkit } from './toolkit.ts';

export interface DestroyOptions {
  readonly notify: AwsNotify;
  /** Also delete the registry stack and its images (shared by every stage of the app). */
  readonly purgeImages?: boolean;
}

export interface DestroyResult {
  readonly stage: string;
  /** Stacks deleted, in order. */
  readonly deleted: readonly string[];
  /** Stacks that were not there. */
  readonly absent: readonly string[];
  /** The registry stack when it was kept (no --purge-images). */
  readonly kept: readonly string[];
  /** Load balancers whose deletion protection berth turned off first. */
  readonly protectionTurnedOff: readonly string[];
}

/**
 * `berth destroy`: deletes the stage's app stack through the toolkit, after turning off the load
 * balancer's deletion protection (which berth turns on, and which would fail the delete otherwise).
 * The registry stack, shared by the app's stages, stays unless `purgeImages`.
 */
export async function destroy(config: ResolvedConfig, options: DestroyOptions): Promise<DestroyResult> {
  const { notify } = options;
  await assertAccount(config, notify);
  const assembly = synthAssembly(config);
  const targets = [assembly.appStack, ...(options.purgeImages ? [assembly.registryStack] : [])];
  const present: string[] = [];
  const absent: string[] = [];
  for (const stack of targets) ((await stackStatus(config, stack)) ? present : absent).push(stack);

  const protectionTurnedOff = present.includes(assembly.appStack)
    ? await turnOffDeletionProtection(config, assembly.appStack, notify)
    : [];
  const { toolkit, host } = makeToolkit(notify);
  if (present.length > 0) {
    const cx = await toolkit.fromAssemblyDirectory(assembly.outdir);
    try {
      await toolkit.destroy(cx, {
        stacks: {
          strategy: StackSelectionStrategy.PATTERN_MUST_MATCH,
          patterns: present,
          expand: ExpandStackSelection.NONE,
        },
      });
    } catch (err) {
      const reasons = host.failedEvents.map((e) => `${e.resource}: ${e.reason}`).join('; ');
      throw new BerthError(
        `could not delete ${present.join(', ')}: ${firstLine(err)}${reasons ? ` (${reasons})` : ''}`,
        { cause: err },
      );
    }
  }
  return {
    stage: config.stage,
    deleted: present,
    absent,
    kept: options.purgeImages ? [] : [assembly.registryStack],
    protectionTurnedOff,
  };
}

/** The app stack's load balancers (from its resources) with deletion protection, turned off. */
async function turnOffDeletionProtection(
  config: ResolvedConfig,
  stack: string,
  notify: AwsNotify,
): Promise<string[]> {
  const cfn = new CloudFormationClient(clientConfig(config));
  const elb = new ElasticLoadBalancingV2Client(clientConfig(config));
  const turnedOff: string[] = [];
  try {
    const resources =
      (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }))).StackResources ?? [];
    const arns = resources
      .filter((r) => r.ResourceType === 'AWS::ElasticLoadBalancingV2::LoadBalancer' && r.PhysicalResourceId)
      .map((r) => r.PhysicalResourceId!);
    for (const arn of arns) {
      const attributes =
        (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))).Attributes ??
        [];
      if (!attributes.some((a) => a.Key === 'deletion_protection.enabled' && a.Value === 'true')) continue;
      await elb.send(
        new ModifyLoadBalancerAttributesCommand({
          LoadBalancerArn: arn,
          Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
        }),
      );
      const name = arn.split('/').slice(-2, -1)[0] ?? arn;
      turnedOff.push(name);
      notify({
        level: 'info',
        code: 'aws.destroy.protection-off',
        message: `turned off deletion protection of load balancer ${name}, so CloudFormation can delete it`,
        data: { loadBalancer: name, arn },
      });
    }
    return turnedOff;
  } finally {
    cfn.destroy();
    elb.destroy();
  }
}
