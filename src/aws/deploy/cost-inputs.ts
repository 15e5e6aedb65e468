import type { ResolvedConfig } from '../../config/index.ts';
import type { CostChange } from '../../cost/index.ts';
import type { DeployedTemplate } from './deployed-template.ts';

/**
 * The template's top-level Metadata key under which the app stack carries the config it was
 * deployed with, as the cost estimate reads it: `berth diff` and `berth deploy` compare the new
 * config's monthly cost with it. CloudFormation keeps it with the stack, and removes it with it.
 */
export const COST_INPUTS_KEY = 'BerthCostInputs';

/**
 * The config as stored in the template: without what differs between machines (absolute paths)
 * or is not deployed (the local command), so the same config gives the same template anywhere,
 * and without environment values (their names stay; the task definitions carry the values). Nor the
 * list of the config's other stages: adding a dev stage must not change prod's template.
 */
export function costInputs(config: ResolvedConfig): Record<string, unknown> {
  const { stages: _stages, ...rest } = config;
  return {
    ...rest,
    baseDir: '.',
    services: config.services.map(({ local: _local, ...s }) => ({
      ...s,
      image:
        s.image.kind === 'build'
          ? { kind: 'build', ...(s.image.maxSizeMB === undefined ? {} : { maxSizeMB: s.image.maxSizeMB }) }
          : s.image,
      environment: Object.fromEntries(Object.keys(s.environment).map((k) => [k, ''])),
    })),
  };
}

/** What the deployed app stack was deployed with: `none` before the first deploy, `unknown` without the metadata. */
export type DeployedCostInputs =
  | { readonly kind: 'none' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'deployed'; readonly config: ResolvedConfig };

/** The config a deployed app template records (`deployedAppTemplate`), for the cost change. */
export function costInputsIn(
  config: ResolvedConfig,
  template: DeployedTemplate | undefined,
): DeployedCostInputs {
  if (!template) return { kind: 'none' };
  const stored = template.Metadata?.[COST_INPUTS_KEY];
  if (!stored || typeof stored !== 'object') return { kind: 'unknown' };
  // Read back as the config the estimate takes; the machine-local parts it does not read.
  return {
    kind: 'deployed',
    config: { ...(stored as ResolvedConfig), stages: config.stages, baseDir: config.baseDir },
  };
}

/**
 * The monthly cost change a deploy of `config` makes, at the shipped prices of its region: from
 * the deployed config, or from nothing before the first deploy. Undefined when it cannot be told
 * (a stack deployed without the metadata, or no price table for the region), with the reason.
 */
export async function deployCostChange(
  config: ResolvedConfig,
  deployed: DeployedCostInputs,
): Promise<{ change?: CostChange; note?: string }> {
  if (deployed.kind === 'unknown')
    return { note: 'the deployed stack does not record its config (deployed before berth recorded it)' };
  const { costChange, estimateCost, loadPriceTable, signedUsd } = await import('../../cost/index.ts');
  let prices;
  try {
    prices = loadPriceTable(config.env.region);
  } catch (err) {
    return { note: `no price table for ${config.env.region} (${(err as Error).message.split('\n')[0]})` };
  }
  if (deployed.kind === 'deployed') {
    try {
      return { change: costChange(deployed.config, config, { prices }) };
    } catch (err) {
      // A config recorded by another version of berth may lack what this one's estimate reads.
      return { note: `the recorded config cannot be estimated (${(err as Error).message.split('\n')[0]})` };
    }
  }
  const month = estimateCost(config, { prices });
  return {
    change: {
      deltaUsd: month.monthlyUsd,
      summary: `${signedUsd(month.monthlyUsd)}/month: the first deploy of stage ${config.stage}`,
      lines: month.lines.map((l) => ({ id: l.id, label: l.label, deltaUsd: l.monthlyUsd })),
    },
  };
}
