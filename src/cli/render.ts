import type { AcknowledgedFinding, CheckResult, Finding, StagesCheckResult } from '../checks/index.ts';

/** Plain-text table: columns padded to the widest cell, long cells wrapped by the terminal. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderCheck(result: CheckResult): string {
  const out: string[] = [
    result.ran.length > 0
      ? `Checks run: ${result.ran.join(', ')}.`
      : 'Checks run: none (compliance.packs is empty, compliance.controlTower is false, and cfn-lint was skipped).',
  ];
  const groups: [Finding['severity'], string][] = [
    ['error', 'Errors'],
    ['warning', 'Warnings'],
    ['info', 'Info'],
  ];
  const compliance = result.findings.filter((f) => f.source !== 'reachability');
  for (const [severity, title] of groups) {
    const rows = compliance.filter((f) => f.severity === severity);
    if (rows.length === 0) continue;
    out.push(
      '',
      `${title} (${rows.length})`,
      table(
        ['rule', 'resource', 'what to change'],
        rows.map((f) => [f.rule, f.resource, f.fix ? `${f.message} Fix: ${f.fix}` : f.message]),
      ),
    );
  }
  out.push('', renderReachability(result));
  out.push(
    '',
    result.passed
      ? result.acknowledged.length === 0
        ? 'No unacknowledged findings.'
        : `No unacknowledged findings. ${result.acknowledged.length} acknowledged by design (berth check --acknowledged lists them; docs/compliance.md explains them).`
      : `${result.findings.length} unacknowledged finding${result.findings.length === 1 ? '' : 's'}.`,
  );
  return out.join('\n');
}

/** The network section: how many paths were proven, and each that is not as it must be, with its hop and fix. */
function renderReachability(result: CheckResult): string {
  const failed = result.reachability.filter((p) => !p.ok);
  const head = `Network reachability: ${result.reachability.length - failed.length} of ${result.reachability.length} paths as they must be.`;
  if (failed.length === 0) return head;
  return [
    head,
    table(
      ['rule', 'path', 'hop', 'what to change'],
      failed.map((p) => [
        p.rule,
        `${p.from} -> ${p.to} (must be ${p.expect})`,
        `${p.hop?.hop ?? ''} ${p.hop?.resource ?? ''}`.trim(),
        p.hop ? `${p.hop.reason}. Fix: ${p.hop.fix}` : '',
      ]),
    ),
  ].join('\n');
}

/** Each stage's checks under its own heading, then one line per stage. */
export function renderStagesCheck(
  result: StagesCheckResult,
  options: { acknowledged?: boolean } = {},
): string {
  const out: string[] = [];
  for (const stage of result.stages) {
    out.push(
      `== stage ${stage.stage} (account ${stage.account}, ${stage.region}) ==`,
      renderCheck(stage),
      '',
    );
    if (options.acknowledged) out.push(renderAcknowledged(stage.acknowledged), '');
  }
  out.push(
    table(
      ['stage', 'result'],
      result.stages.map((s) => [
        s.stage,
        s.passed
          ? 'passed'
          : `${s.findings.length} unacknowledged finding${s.findings.length === 1 ? '' : 's'}`,
      ]),
    ),
  );
  return out.join('\n');
}

export function renderAcknowledged(acknowledged: readonly AcknowledgedFinding[]): string {
  return table(
    ['rule', 'resource', 'reason'],
    // A cdk-nag rule id names its pack already (`AwsSolutions-IAM5`); a plugin's does not.
    acknowledged.map((a) => [
      !a.pack || a.rule.startsWith(`${a.pack}-`) ? a.rule : `${a.pack}::${a.rule}`,
      a.resource,
      a.reason,
    ]),
  );
}
