import type { ResolvedConfig } from '../config/index.ts';
import { signedUsd } from './arithmetic.ts';
import { estimateCost, type CostEstimate, type EstimateOptions } from './estimate.ts';

export interface CostChange {
  /** After minus before, USD per month. */
  readonly deltaUsd: number;
  /** `+$9.01/month: one more backend task`, or `no cost change`. */
  readonly summary: string;
  /** Lines whose monthly cost moved (a line that appeared or went counts from or to $0). */
  readonly lines: readonly { readonly id: string; readonly label: string; readonly deltaUsd: number }[];
}

/**
 * The monthly cost change between two configs, for `berth diff` and `berth deploy` summaries.
 * Both are estimated with the same prices and assumptions, so only the config's change shows.
 */
export function costChange(
  before: ResolvedConfig,
  after: ResolvedConfig,
  options: EstimateOptions,
): CostChange {
  return compareEstimates(estimateCost(before, options), estimateCost(after, options), before, after);
}

/** The change between two estimates; the configs, when given, let the summary name task-count changes. */
export function compareEstimates(
  before: CostEstimate,
  after: CostEstimate,
  beforeConfig?: ResolvedConfig,
  afterConfig?: ResolvedConfig,
): CostChange {
  const index = (e: CostEstimate) => new Map(e.lines.map((l) => [l.id, l] as const));
  const b = index(before);
  const a = index(after);
  const lines: CostChange['lines'][number][] = [];
  for (const id of new Set([...b.keys(), ...a.keys()])) {
    const delta = (a.get(id)?.monthlyUsd ?? 0) - (b.get(id)?.monthlyUsd ?? 0);
    if (Math.abs(delta) >= 0.005) lines.push({ id, label: (a.get(id) ?? b.get(id))!.label, deltaUsd: delta });
  }
  const deltaUsd = after.monthlyUsd - before.monthlyUsd;
  if (lines.length === 0) return { deltaUsd, summary: 'no cost change', lines };
  return {
    deltaUsd,
    summary: `${signedUsd(deltaUsd)}/month: ${reasons(lines, beforeConfig, afterConfig)}`,
    lines,
  };
}

const COUNT_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function reasons(lines: CostChange['lines'], before?: ResolvedConfig, after?: ResolvedConfig): string {
  const out: string[] = [];
  const explained = new Set<string>();
  // Lines a service's tasks move with them: its own, the public IPs of public tasks, its metrics.
  const explainService = (id: string) => {
    for (const l of lines)
      if (l.id.endsWith(`:${id}`) || l.id === 'ipv4-tasks' || l.id === 'container-insights')
        explained.add(l.id);
  };
  if (before && after) {
    for (const s of after.services) {
      const was = before.services.find((x) => x.id === s.id);
      if (!was) {
        out.push(`new service ${s.id}`);
      } else if (was.scaling.desired !== s.scaling.desired && sameTaskSize(was, s)) {
        const d = s.scaling.desired - was.scaling.desired;
        const n = Math.abs(d);
        out.push(`${COUNT_WORDS[n] ?? n} ${d > 0 ? 'more' : 'fewer'} ${s.id} task${n === 1 ? '' : 's'}`);
      } else continue;
      explainService(s.id);
    }
    for (const s of before.services) {
      if (after.services.some((x) => x.id === s.id)) continue;
      out.push(`service ${s.id} removed`);
      explainService(s.id);
    }
  }
  for (const l of lines) if (!explained.has(l.id)) out.push(`${l.label} ${signedUsd(l.deltaUsd)}`);
  return out.join(', ');
}

function sameTaskSize(a: ResolvedConfig['services'][number], b: ResolvedConfig['services'][number]): boolean {
  return a.cpu === b.cpu && a.memory === b.memory && a.architecture === b.architecture && a.spot === b.spot;
}
