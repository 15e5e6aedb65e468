import type { StageSummary } from '../config/index.ts';
import { table } from './render.ts';

export interface StagesListing {
  /** False when the config has no `stages`: the one listed is the stage commands act on. */
  readonly declared: boolean;
  readonly defaultStage?: string;
  readonly stages: readonly StageSummary[];
}

/** One row per stage, then which stage a command without --stage acts on. */
export function renderStages(listing: StagesListing): string {
  const rows = listing.stages.map((s) => [
    s.name,
    s.account,
    s.region,
    s.domain,
    s.production ? 'yes' : 'no',
    String(s.overrides.length),
  ]);
  const out = [table(['stage', 'account', 'region', 'domain', 'production', 'overrides'], rows), ''];
  // The paths under the table, one a line: a column of them would be wider than any terminal.
  for (const s of listing.stages.filter((stage) => stage.overrides.length > 0))
    out.push(`${s.name} overrides:`, ...s.overrides.map((p) => `  ${p}`), '');
  if (!listing.declared)
    out.push(
      `The config declares no stages: commands act on stage ${listing.stages[0]!.name} with the config's values (--stage names another).`,
    );
  else if (listing.defaultStage !== undefined)
    out.push(`Without --stage, commands act on ${listing.defaultStage}.`);
  else
    out.push(
      `Without --stage, commands that act on one stage refuse to guess: pass --stage ${listing.stages.map((s) => s.name).join('|')}, or set defaultStage.`,
    );
  return out.join('\n');
}
