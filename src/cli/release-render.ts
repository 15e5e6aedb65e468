import type { ReleaseReport, ReleaseStatus, RollbackResult } from '../aws/index.ts';
import { table } from './render.ts';

/** How each traffic-shifting release of a deploy ended, and why ECS rolled one back. */
export function renderReleaseReports(reports: readonly ReleaseReport[]): string {
  const lines = [
    table(
      ['service', 'release', 'production on green'],
      reports.map((r) => [
        r.service,
        r.phase ?? 'no deployment seen',
        r.productionPercent === undefined ? '-' : `${r.productionPercent}%`,
      ]),
    ),
  ];
  for (const r of reports.filter((x) => x.failed)) {
    lines.push(`${r.service} rolled back:`);
    for (const why of r.why) lines.push(`  ${why}`);
  }
  return lines.join('\n');
}

/** One line per service for `berth status --stage`: the release's stage, split and alarm states. */
export function renderReleaseStatus(service: string, release: ReleaseStatus): string {
  const alarms = release.alarms.map((a) => `${a.name} ${a.state}`).join(', ');
  if (release.unreadable)
    return `${service} (${release.strategy}): release unreadable: ${release.unreadable}`;
  return [
    `${service} (${release.strategy}): ${release.text ?? 'no deployment yet'}`,
    `  alarms: ${alarms || 'none found'}`,
  ].join('\n');
}

export function renderRollback(result: RollbackResult): string {
  const what = {
    'stopped-release': 'release stopped; ECS moves traffic back to the previous version',
    'previous-task-definition': 'previous task definition deploying',
    'nothing-earlier': 'nothing earlier to roll back to',
  } as const;
  return [
    table(
      ['service', 'rollback', 'from', 'to'],
      result.services.map((s) => [
        s.service,
        what[s.action],
        s.from?.split('/').pop() ?? '-',
        s.to?.split('/').pop() ?? '-',
      ]),
    ),
    `Stage ${result.stage}: the next berth deploy deploys the config's version again.`,
  ].join('\n');
}
