import path from 'node:path';
import type { CheckImagesResult, ImageEvent } from '../images/index.ts';
import { megabytes } from '../images/rules/image-size-budget.ts';
import { table } from './render.ts';

const RESULT: Record<string, string> = {
  compliant: 'pass',
  'non-compliant': 'FAIL',
  'not-applicable': 'n/a',
  error: 'ERROR',
};

/** `berth check --images`: sizes against budgets, every rule per image with the offending paths, the SBOMs. */
export function renderImageCheck(result: CheckImagesResult, cwd = process.cwd()): string {
  const out: string[] = [];
  out.push(
    table(
      ['image', 'compressed', 'uncompressed', 'budget', 'id'],
      result.images.map((i) => [
        `${i.service} (${i.ref}, ${i.platform})`,
        `${megabytes(i.compressedBytes)} MB`,
        `${megabytes(i.uncompressedBytes)} MB`,
        i.budgetBytes === undefined
          ? '-'
          : `${megabytes(i.budgetBytes)} MB ${i.compressedBytes <= i.budgetBytes ? 'ok' : 'OVER'}`,
        i.id.slice(0, 19),
      ]),
    ),
  );
  const rows: string[][] = [];
  for (const image of result.images) {
    for (const r of image.results) {
      const mark = r.status === 'non-compliant' && r.level === 'warning' ? 'warn' : RESULT[r.status]!;
      if (r.problems.length === 0 || r.status === 'not-applicable') {
        rows.push([
          image.service,
          r.rule,
          mark,
          r.status === 'not-applicable' ? (r.problems[0]?.message ?? '') : '',
        ]);
        continue;
      }
      for (const [n, p] of r.problems.entries())
        rows.push([
          image.service,
          r.rule,
          mark,
          n === 0 && r.status !== 'error' ? `${p.message}. Fix: ${r.fix}` : p.message,
        ]);
    }
  }
  out.push('', table(['image', 'rule', 'result', 'details'], rows));
  out.push(
    '',
    ...result.images.map(
      (i) => `SBOM ${i.service}: ${path.relative(cwd, i.sbomFile)} (${describeCounts(i.sbomComponents)})`,
    ),
  );
  const failing = result.images.flatMap((i) =>
    i.results
      .filter((r) => r.level === 'error' && (r.status === 'non-compliant' || r.status === 'error'))
      .map((r) => `${i.service}:${r.rule}`),
  );
  out.push(
    '',
    failing.length === 0
      ? `All ${result.images.length} image${result.images.length === 1 ? '' : 's'} pass.`
      : `${failing.length} failing rule${failing.length === 1 ? '' : 's'}: ${failing.join(', ')}.`,
  );
  return out.join('\n');
}

function describeCounts(counts: Readonly<Record<string, number>>): string {
  return (
    Object.entries(counts)
      .map(([type, n]) => `${n} ${type}`)
      .join(', ') || 'no components'
  );
}

/** One progress line per event, for stderr. */
export function renderImageEvent(event: ImageEvent): string | undefined {
  if (event.level === 'debug') return undefined;
  return `${{ info: '·', warn: '!', error: 'x' }[event.level]} ${event.message}`;
}
