import path from 'node:path';
import { discoveryVariable } from '../local/environment/service-environment.ts';
import type { LocalEvent, LocalStatus } from '../local/index.ts';
import { table } from './render.ts';

/** The services table `berth up` and `berth status` print: state, URLs to open, how services reach each other. */
export function renderStatus(status: LocalStatus, cwd = process.cwd()): string {
  const rows = status.services.map((s) => {
    const counts = new Map<string, number>();
    for (const t of s.tasks) counts.set(t.health, (counts.get(t.health) ?? 0) + 1);
    const state = [...counts].map(([health, n]) => `${n} ${health}`).join(', ') || 'no task';
    return [
      s.id,
      `${s.tasks.filter((t) => t.health === 'healthy').length}/${s.desired}`,
      state,
      s.urls.join(' ') || '(internal)',
      `${discoveryVariable(s.id)}=${s.discoveryUrl}`,
    ];
  });
  const logs = path.relative(cwd, path.join(status.stateDir, 'logs')) || '.';
  const releases = status.services.flatMap((s) => {
    if (!s.release) return [];
    const fleet = (green: boolean) =>
      s.tasks
        .filter((t) => (t.green ?? false) === green)
        .map((t) => t.id)
        .join(', ') || 'none';
    return [
      `${s.id}: ${s.release.strategy} release, ${s.release.stage}: ${s.release.greenPercent}% of requests on green (${fleet(true)}), the rest on blue (${fleet(false)})`,
    ];
  });
  return [
    table(['service', 'healthy', 'tasks', 'open', 'other services reach it as'], rows),
    ...(releases.length ? ['', ...releases] : []),
    '',
    `engine ${status.engine}; edge ${status.edge.https} (HTTPS) and ${status.edge.http} (301 to HTTPS); logs in ${logs}/`,
  ].join('\n');
}

/** One progress line per event; debug events stay quiet. */
export function renderEvent(event: LocalEvent): string | undefined {
  if (event.level === 'debug' || event.code === 'up.ready') return undefined;
  const mark = { info: '·', warn: '!', error: 'x' }[event.level];
  if (event.code === 'tls.ca-created') {
    const commands = (event.data?.trustCommands as string[] | undefined) ?? [];
    return [
      `${mark} ${event.message}`,
      '  Browsers will warn until this machine trusts it. To trust it (once):',
      ...commands.map((c) => `    ${c}`),
    ].join('\n');
  }
  return `${mark} ${event.message}`;
}

/** Where `berth up` and `berth down` send the core's events: one line each on stderr. */
export function printEvent(event: LocalEvent): void {
  const line = renderEvent(event);
  if (line) process.stderr.write(`${line}\n`);
}
