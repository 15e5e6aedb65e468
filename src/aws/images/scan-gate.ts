import {
  DescribeImageScanFindingsCommand,
  ECRClient,
  ScanNotFoundException,
  StartImageScanCommand,
  type DescribeImageScanFindingsCommandOutput,
  type ImageScanFindings,
} from '@aws-sdk/client-ecr';
import type { ResolvedConfig } from '../../config/index.ts';
import { BerthError } from '../../shared/errors.ts';
import { clientConfig } from '../clients.ts';
import type { FailOn, PublishedImage, ScanFinding, ScanGateResult } from '../deploy/steps.ts';
import type { AwsNotify } from '../events.ts';
import { reaches, severityRank } from './severity.ts';

export { DEFAULT_FAIL_ON, FAIL_ON_LEVELS, reaches, SEVERITIES, severityRank } from './severity.ts';

export interface GateOnScansOptions {
  readonly config: ResolvedConfig;
  readonly images: readonly PublishedImage[];
  readonly failOn: FailOn;
  readonly notify: AwsNotify;
  /** How long to wait for each scan. @default 10 minutes */
  readonly timeoutMs?: number;
  /** Between two reads of a scan in progress. @default 5 s */
  readonly intervalMs?: number;
}

/**
 * Waits for ECR's scan of each pushed digest, collects its findings and says whether they reach
 * `failOn`. A scan that does not finish in time or fails blocks the deploy too (its findings are
 * unknown), unless `failOn` is NONE, which never blocks and only reports.
 */
export async function gateOnScans(options: GateOnScansOptions): Promise<ScanGateResult> {
  const { notify, failOn } = options;
  const ecr = new ECRClient(clientConfig(options.config));
  const findings: ScanFinding[] = [];
  let blocked = false;
  try {
    for (const image of options.images) {
      const result = await waitForScan(ecr, image, options);
      if (result.kind === 'incomplete') {
        notify({
          level: failOn === 'NONE' ? 'warn' : 'error',
          code: 'aws.scan.incomplete',
          message: `${image.service}: ${result.reason}`,
          data: { service: image.service, digest: image.digest },
        });
        if (failOn !== 'NONE') blocked = true;
        continue;
      }
      const own = findingsOf(image.service, result.findings);
      findings.push(...own);
      const counts = result.findings.findingSeverityCounts ?? {};
      const reached =
        own.some((f) => reaches(f.severity, failOn)) ||
        Object.entries(counts).some(([severity, n]) => (n ?? 0) > 0 && reaches(severity, failOn));
      if (reached) blocked = true;
      notify({
        level: reached ? 'error' : 'info',
        code: 'aws.scan.complete',
        message: `${image.service}: scan complete, ${describeCounts(counts, own)}`,
        data: { service: image.service, digest: image.digest, counts, blocked: reached },
      });
    }
  } finally {
    ecr.destroy();
  }
  findings.sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || a.name.localeCompare(b.name),
  );
  return { blocked, findings };
}

type ScanOutcome =
  | { readonly kind: 'complete'; readonly findings: ImageScanFindings }
  | { readonly kind: 'incomplete'; readonly reason: string };

/**
 * Polls DescribeImageScanFindings rather than using client-ecr's waitUntilImageScanComplete: the
 * waiter reports nothing while it waits, and a deploy should show that it is waiting for a scan.
 */
async function waitForScan(
  ecr: ECRClient,
  image: PublishedImage,
  options: GateOnScansOptions,
): Promise<ScanOutcome> {
  const repositoryName = repositoryOf(image);
  const imageId = { imageDigest: image.digest };
  const timeoutMs = options.timeoutMs ?? 600_000;
  const intervalMs = options.intervalMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  let started = false;
  for (let attempt = 1; ; attempt++) {
    let response: DescribeImageScanFindingsCommandOutput | undefined;
    try {
      response = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId }));
    } catch (error) {
      if (!(error instanceof ScanNotFoundException)) throw scanError(image, error);
      // Scan on push starts a scan by itself; a repository without it (or an emulator) needs one.
      if (!started) {
        started = true;
        await ecr.send(new StartImageScanCommand({ repositoryName, imageId })).catch((e: unknown) => {
          throw scanError(image, e);
        });
      }
    }
    const status = response?.imageScanStatus?.status;
    if (status === 'COMPLETE' || status === 'ACTIVE') {
      return { kind: 'complete', findings: await allFindings(ecr, repositoryName, imageId, response!) };
    }
    if (status === 'FAILED' || status === 'UNSUPPORTED_IMAGE' || status === 'FINDINGS_UNAVAILABLE')
      return {
        kind: 'incomplete',
        reason: `ECR could not scan ${image.repositoryUri}@${image.digest} (${status}: ${response?.imageScanStatus?.description ?? 'no reason given'})`,
      };
    if (Date.now() + intervalMs > deadline)
      return {
        kind: 'incomplete',
        reason: `the scan of ${image.repositoryUri}@${image.digest} did not finish within ${Math.round(timeoutMs / 1000)} s; deploy again later, or with --fail-on NONE to skip the gate`,
      };
    options.notify({
      level: 'info',
      code: 'aws.scan.wait',
      message: `${image.service}: waiting for the ECR scan of ${image.digest.slice(0, 19)} (${status ?? 'not started'}, check ${attempt})`,
      data: { service: image.service, digest: image.digest, status: status ?? 'PENDING', attempt },
    });
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Every page of findings, the first one already read. */
async function allFindings(
  ecr: ECRClient,
  repositoryName: string,
  imageId: { imageDigest: string },
  first: DescribeImageScanFindingsCommandOutput,
): Promise<ImageScanFindings> {
  const all: ImageScanFindings = { ...first.imageScanFindings };
  const findings = [...(all.findings ?? [])];
  const enhanced = [...(all.enhancedFindings ?? [])];
  let nextToken = first.nextToken;
  while (nextToken) {
    const page = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId, nextToken }));
    findings.push(...(page.imageScanFindings?.findings ?? []));
    enhanced.push(...(page.imageScanFindings?.enhancedFindings ?? []));
    nextToken = page.nextToken;
  }
  return { ...all, findings, enhancedFindings: enhanced };
}

/**
 * Basic scanning names the package in attributes (`package_name`, `package_version`) and has no
 * fixed-in version; enhanced scanning (Inspector) lists the vulnerable packages with `fixedInVersion`.
 */
export function findingsOf(service: string, scan: ImageScanFindings): ScanFinding[] {
  const out: ScanFinding[] = [];
  for (const f of scan.findings ?? []) {
    const attribute = (key: string) => f.attributes?.find((a) => a.key === key)?.value;
    const packageName = attribute('package_name');
    const packageVersion = attribute('package_version');
    const fixedIn = attribute('fixed_in_version') ?? attribute('fixedInVersion');
    out.push({
      service,
      severity: f.severity ?? 'UNDEFINED',
      name: f.name ?? '(unnamed)',
      ...(packageName ? { packageName } : {}),
      ...(packageVersion ? { packageVersion } : {}),
      ...(fixedIn ? { fixedIn } : {}),
    });
  }
  for (const f of scan.enhancedFindings ?? []) {
    const details = f.packageVulnerabilityDetails;
    const packages = details?.vulnerablePackages?.length ? details.vulnerablePackages : [undefined];
    for (const p of packages)
      out.push({
        service,
        severity: f.severity ?? 'UNDEFINED',
        name: details?.vulnerabilityId ?? f.title ?? '(unnamed)',
        ...(p?.name ? { packageName: p.name } : {}),
        ...(p?.version ? { packageVersion: p.version } : {}),
        ...(p?.fixedInVersion && p.fixedInVersion !== 'NotAvailable' ? { fixedIn: p.fixedInVersion } : {}),
      });
  }
  return out;
}

function describeCounts(
  counts: Readonly<Record<string, number | undefined>>,
  findings: readonly ScanFinding[],
): string {
  const entries = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0);
  const byCount = entries.sort(([a], [b]) => severityRank(a) - severityRank(b)).map(([s, n]) => `${n} ${s}`);
  if (byCount.length > 0) return byCount.join(', ');
  return findings.length === 0 ? 'no findings' : `${findings.length} findings`;
}

/** `<registry>/<app>/<service>` -> `<app>/<service>`. */
function repositoryOf(image: PublishedImage): string {
  return image.repositoryUri.slice(image.repositoryUri.indexOf('/') + 1);
}

function scanError(image: PublishedImage, error: unknown): BerthError {
  const message = error instanceof Error ? error.message : String(error);
  return new BerthError(`cannot read the ECR scan of ${image.repositoryUri}@${image.digest}: ${message}`, {
    cause: error,
  });
}
