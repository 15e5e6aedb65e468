import { readableLine, type LogLine } from '../aws/log-lines.ts';
import type { ServiceStatus, StageStatus } from '../aws/status.ts';
import type { FailOn, ScanGateResult, VerifyResult } from '../aws/deploy/steps.ts';
import type { AwsEvent } from '../aws/events.ts';
import { reaches } from '../aws/images/severity.ts';
import { table } from './render.ts';
import { renderReleaseStatus } from './release-render.ts';

/** The next, looser level: what a user who accepts the risk passes instead. */
const LOOSER: Record<Exclude<FailOn, 'NONE'>, FailOn> = {
  MEDIUM: 'HIGH',
  HIGH: 'CRITICAL',
  CRITICAL: 'NONE',
};

/** The scan gate's findings, most severe first (severity, service, package, version, fixed in, CVE), and the verdict. */
export function renderScanFindings(result: ScanGateResult, failOn: FailOn): string {
  const out: string[] = [];
  if (result.findings.length > 0)
    out.push(
      table(
        ['severity', 'service', 'package', 'version', 'fixed in', 'CVE'],
        result.findings.map((f) => [
          f.severity,
          f.service,
          f.packageName ?? '-',
          f.packageVersion ?? '-',
          f.fixedIn ?? '-',
          f.name,
        ]),
      ),
      '',
    );
  const reaching = result.findings.filter((f) => reaches(f.severity, failOn)).length;
  if (!result.blocked)
    out.push(
      result.findings.length === 0
        ? 'No scan findings.'
        : `No finding reaches --fail-on ${failOn} (${result.findings.length} below it).`,
    );
  else if (failOn !== 'NONE')
    out.push(
      reaching === 0
        ? `The scan gate is closed (--fail-on ${failOn}): a scan did not complete; see above.`
        : `${reaching} finding${reaching === 1 ? ' reaches' : 's reach'} --fail-on ${failOn}: the deploy stops here. Rebuild on a fixed base, or acknowledge the risk with --fail-on ${LOOSER[failOn]}.`,
    );
  return out.join('\n');
}

/** The outside checks: each URL, its answer and how many tries it took. */
export function renderVerify(result: VerifyResult): string {
  return table(
    ['service', 'url', 'result', 'tries', 'time'],
    result.checks.map((c) => [
      c.service,
      c.url,
      c.ok ? `${c.status} ok` : `FAILED (${c.error ?? `HTTP ${c.status}`})`,
      String(c.attempts),
      `${(c.ms / 1000).toFixed(1)} s`,
    ]),
  );
}

/** One progress line per event (stderr); debug events stay quiet. */
export function renderProgress(event: AwsEvent): string | undefined {
  if (event.level === 'debug') return undefined;
  const mark = { info: '·', warn: '!', error: 'x' }[event.level];
  return `${mark} ${event.message}`;
}

export function printProgress(event: AwsEvent): void {
  const line = renderProgress(event);
  if (line) process.stderr.write(`${line}\n`);
}

/** `berth status --stage S`: who answered, one row per service, then what is wrong with the events that explain it. */
export function renderStageStatus(status: StageStatus): string {
  const out = [status.answeredBy];
  if (!status.deployed) {
    out.push(
      '',
      `Not deployed: no cluster ${status.cluster}. Deploy it with berth deploy --stage ${status.stage}.`,
    );
    return out.join('\n');
  }
  out.push(
    '',
    table(
      ['service', 'tasks', 'rollout', 'image', 'targets', 'url'],
      status.services.map((s) => [
        s.id,
        s.deployed
          ? `${s.running}/${s.desired} running${s.pending ? `, ${s.pending} pending` : ''}`
          : 'not deployed',
        s.rollout?.state ?? '-',
        imageCell(s),
        s.targets ? targetsCell(s.targets) : '-',
        s.url ?? '(internal)',
      ]),
    ),
  );
  const releases = status.services.filter((x) => x.release);
  if (releases.length > 0) out.push('', ...releases.map((s) => renderReleaseStatus(s.id, s.release!)));
  for (const s of status.services.filter((x) => x.deployed && x.problems.length > 0)) {
    out.push('', `${s.id}: ${s.problems.join('; ')}`);
    if (s.rollout?.reason && s.rollout.state !== 'COMPLETED') out.push(`  rollout: ${s.rollout.reason}`);
    for (const reason of s.targets?.reasons ?? []) out.push(`  target ${reason}`);
    for (const e of s.events) out.push(`  ${e.at}  ${e.message}`);
  }
  return out.join('\n');
}

function imageCell(s: ServiceStatus): string {
  if (!s.deployed) return '-';
  const shown = s.digest ? s.digest.slice(0, 19) : (s.image ?? '-');
  if (s.current === true) return `${shown} (last pushed)`;
  if (s.current === false) return `${shown} (last pushed: ${s.latestPushed!.slice(0, 19)})`;
  return shown;
}

function targetsCell(t: NonNullable<ServiceStatus['targets']>): string {
  const parts = [`${t.healthy} healthy`];
  if (t.unhealthy) parts.push(`${t.unhealthy} unhealthy`);
  if (t.other) parts.push(`${t.other} other`);
  return parts.join(', ');
}

const LEVEL_COLOURS: Record<string, string> = {
  WARN: '33',
  ERROR: '31',
  FATAL: '31',
  DEBUG: '2',
  TRACE: '2',
};

/** `2026-12-06T09:00:01.123Z INFO  [req-1] incoming request {"req":...}`; colour only when asked (a TTY without NO_COLOR). */
export function renderLogLine(line: LogLine, colour = false): string {
  const r = readableLine(line);
  if (r.level === undefined && r.requestId === undefined && r.rest === '' && r.message === line.message)
    return `${r.time} ${r.message}`;
  const level = (r.level ?? '').padEnd(5);
  const code = r.level ? LEVEL_COLOURS[r.level] : undefined;
  const shown = colour && code ? `\x1b[${code}m${level}\x1b[0m` : level;
  return [
    r.time,
    shown,
    r.requestId ? `[${r.requestId}]` : undefined,
    r.message || undefined,
    r.rest || undefined,
  ]
    .filter((p) => p !== undefined)
    .join(' ');
}
