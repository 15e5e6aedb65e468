import type {
  AwsEvent,
  BootstrapResult,
  DeployResult,
  DestroyResult,
  DiffResult,
  ImageChange,
  ResourceEvent,
} from '../aws/index.ts';
import { table } from './render.ts';
import { renderReleaseReports } from './release-render.ts';

export interface Styles {
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
  readonly dim: (s: string) => string;
}

const plainStyles: Styles = { red: (s) => s, yellow: (s) => s, green: (s) => s, dim: (s) => s };

/** Colour only on a terminal, and never with NO_COLOR (no-color.org: any non-empty value). */
export function styles(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Styles {
  if (!stream.isTTY || env.NO_COLOR) return plainStyles;
  const sgr = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
  return { red: sgr(31), yellow: sgr(33), green: sgr(32), dim: sgr(2) };
}

/** One progress line per event; debug events only when verbose. */
export function renderAwsEvent(
  event: AwsEvent,
  options: { style?: Styles; elapsedMs?: number; verbose?: boolean } = {},
): string | undefined {
  if (event.level === 'debug' && !options.verbose) return undefined;
  const style = options.style ?? plainStyles;
  const time = options.elapsedMs === undefined ? '' : style.dim(`[${formatSeconds(options.elapsedMs)}] `);
  const paint = { debug: style.dim, info: (s: string) => s, warn: style.yellow, error: style.red }[
    event.level
  ];
  if (event.code === 'aws.stack.event' || event.code === 'aws.stack.failed-event') {
    const e = event.data as unknown as ResourceEvent;
    const status = /FAILED$/.test(e.status)
      ? style.red(e.status)
      : /COMPLETE$/.test(e.status) && !/ROLLBACK/.test(e.status)
        ? style.green(e.status)
        : e.status;
    return `${time}${e.stack}  ${status}  ${e.type}  ${e.resource}${e.reason ? `  ${paint(e.reason)}` : ''}`;
  }
  if (event.code === 'aws.step.start') return `${time}${event.message}`;
  return `${time}${paint(event.message)}`;
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function renderBootstrap(result: BootstrapResult): string {
  const lines = [
    `${result.toolkitStack.name}: ${result.toolkitStack.change} in account ${result.account}, ${result.region}`,
    `CloudFormation's execution policy ${result.executionPolicy.arn}: ${result.executionPolicy.change}`,
  ];
  lines.push(result.changed ? 'Bootstrapped.' : 'Already bootstrapped: nothing changed.');
  return lines.join('\n');
}

export function renderFailedEvents(events: readonly ResourceEvent[]): string {
  return table(
    ['stack', 'resource', 'type', 'status', 'reason'],
    events.map((e) => [e.stack, e.resource, e.type, e.status, e.reason ?? '']),
  );
}

export function renderDeploy(result: DeployResult): string {
  const out: string[] = [];
  const where = `stage ${result.stage} (account ${result.account}, ${result.region})`;
  if (result.check && !result.check.passed) {
    out.push(
      table(
        ['rule', 'resource', 'what to change'],
        result.check.findings.map((f) => [
          f.rule,
          f.resource,
          f.fix ? `${f.message} Fix: ${f.fix}` : f.message,
        ]),
      ),
      '',
    );
  }
  if (result.scan && result.scan.findings.length > 0) {
    out.push(
      table(
        ['service', 'severity', 'package', 'version', 'fixed in', 'CVE'],
        result.scan.findings.map((f) => [
          f.service,
          f.severity,
          f.packageName ?? '',
          f.packageVersion ?? '',
          f.fixedIn ?? '',
          f.name,
        ]),
      ),
      '',
    );
  }
  if (result.failedEvents.length > 0)
    out.push('Failed resources:', renderFailedEvents(result.failedEvents), '');
  for (const r of result.rollouts.filter((x) => x.stoppedTasks.length > 0)) {
    out.push(`${r.service}: stopped tasks: ${r.stoppedTasks.join('; ')}`);
  }
  if (result.releases && result.releases.length > 0) out.push(renderReleaseReports(result.releases), '');
  if (result.images.length > 0) {
    out.push(
      table(
        ['service', 'image', 'pushed'],
        result.images.map((i) => [
          i.service,
          `${i.repositoryUri}@${i.digest}`,
          i.pushed ? 'yes' : 'no (same digest)',
        ]),
      ),
      '',
    );
  }
  if (result.stacks.length > 0)
    out.push(
      table(
        ['stack', 'change'],
        result.stacks.map((s) => [s.name, s.change]),
      ),
      '',
    );
  if (result.verify) {
    out.push(
      table(
        ['service', 'url', 'status', 'tries'],
        result.verify.checks.map((c) => [
          c.service,
          c.url,
          c.ok ? String(c.status ?? 'ok') : (c.error ?? String(c.status)),
          String(c.attempts),
        ]),
      ),
      '',
    );
  }
  if (result.cost) out.push(`cost: ${result.cost.summary}`);
  else if (result.costNote) out.push(`cost: unknown (${result.costNote})`);
  out.push(`steps: ${result.timings.map((t) => `${t.step} ${formatSeconds(t.ms)}`).join(', ')}`);
  if (!result.ok)
    out.push(`Deploy of ${where} failed at ${result.failure?.step}: ${result.failure?.message}`);
  else if (result.nothingChanged) out.push(`Nothing changed in ${where}: no image pushed, no stack updated.`);
  else out.push(`Deployed ${where}: ${result.urls.join(' ')}`);
  return out.join('\n');
}

export function renderDiff(result: DiffResult): string {
  const out: string[] = [];
  for (const stack of result.stacks) {
    if (stack.resources.length === 0 && stack.otherChanges === 0) {
      out.push(`${stack.stack}: no changes`);
      continue;
    }
    out.push(
      `${stack.stack}:`,
      table(
        ['resource', 'type', 'change', 'properties'],
        stack.resources.map((r) => [
          r.logicalId,
          r.type,
          IMPACT[r.impact] ?? r.impact,
          r.properties.join(', '),
        ]),
      ),
    );
    if (stack.otherChanges > 0)
      out.push(`  and ${stack.otherChanges} change(s) to outputs, parameters or conditions`);
    if (stack.iam.length > 0) {
      out.push(
        `IAM changes${stack.permissionsBroadened ? ' (permissions broadened)' : ''}:`,
        ...stack.iam.map((row) => `  ${row.join('  ').replace(/\s+/g, ' ')}`),
      );
    }
    if (stack.securityGroups.length > 0) {
      out.push(
        'Security group changes:',
        ...stack.securityGroups.map((row) => `  ${row.join('  ').replace(/\s+/g, ' ')}`),
      );
    }
    out.push('');
  }
  const images = result.images.filter((i) => i.change !== 'unchanged');
  if (images.length > 0) {
    out.push(
      'Images:',
      table(
        ['service', 'image', 'then'],
        images.map((i) => [i.service, IMAGE_CHANGE[i.change](i), 'task definition updated']),
      ),
      '',
    );
  }
  if (result.cost) out.push(`cost: ${result.cost.summary}`);
  else if (result.costNote) out.push(`cost: unknown (${result.costNote})`);
  out.push(
    result.changed
      ? `A deploy of stage ${result.stage} would make these changes.`
      : `Stage ${result.stage} is up to date.`,
  );
  return out.join('\n');
}

const IMAGE_CHANGE: Record<ImageChange['change'], (i: ImageChange) => string> = {
  new: (i) => `first image${i.tag ? ` (${i.tag})` : ''}`,
  rebuild: (i) =>
    `new image from ${i.tag ?? '?'} (runs ${i.deployed?.tags.join(', ') || i.deployed?.digest || '?'})`,
  unchanged: () => 'unchanged',
  unknown: () => 'not in git: a deploy builds it and pushes it when its digest changed',
};

const IMPACT: Record<string, string> = {
  WILL_CREATE: 'add',
  WILL_UPDATE: 'update',
  WILL_REPLACE: 'replace',
  MAY_REPLACE: 'may replace',
  WILL_DESTROY: 'remove',
  WILL_ORPHAN: 'orphan',
  WILL_IMPORT: 'import',
  NO_CHANGE: 'none',
};

export function renderDestroy(result: DestroyResult): string {
  const out: string[] = [];
  for (const lb of result.protectionTurnedOff)
    out.push(`Turned off deletion protection of load balancer ${lb}.`);
  if (result.deleted.length > 0) out.push(`Deleted ${result.deleted.join(', ')}.`);
  if (result.absent.length > 0) out.push(`Not there: ${result.absent.join(', ')}.`);
  if (result.kept.length > 0) {
    out.push(
      `Kept ${result.kept.join(', ')} and its images (shared by every stage; --purge-images deletes it).`,
    );
  }
  return out.join('\n');
}
