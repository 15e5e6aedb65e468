import { createHash } from 'node:crypto';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailOn, PublishedImage } from '../../src/aws/deploy/steps.ts';
import type { AwsEvent } from '../../src/aws/events.ts';
import { FAIL_ON_LEVELS, gateOnScans } from '../../src/aws/images/scan-gate.ts';
import { renderScanFindings } from '../../src/cli/operate-render.ts';
import { cruddur } from '../fixtures.ts';
import { motoClientConfig, startMoto, type Moto, useEmulatorAsAws } from '../support/moto.ts';

// ECR's scan results come from moto: each image gets findings seeded through moto's
// /moto-api/static/ecr/scan-finding-results, which DescribeImageScanFindings then answers with
// for that digest once a scan was started (publish's StartImageScan when ECR has none yet).

const REPOSITORY = 'cruddur/backend';
const config = cruddur();
let moto: Moto;
let ecr: ECRClient;
const savedEnv = { ...process.env };
let counter = 0;

/** A distinct image in ECR (a manifest only: the scan results are seeded, not computed). */
async function image(service = 'backend'): Promise<PublishedImage> {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 100 + counter,
      digest: `sha256:${String(++counter).padStart(64, '0')}`,
    },
    layers: [],
  });
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  await ecr.send(
    new PutImageCommand({
      repositoryName: REPOSITORY,
      imageManifest: manifest,
      imageDigest: digest,
      imageTag: `t${counter}`,
    }),
  );
  return {
    service,
    repositoryUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}`,
    tag: `t${counter}`,
    digest,
    pushed: true,
  };
}

async function seed(digest: string, result: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${moto.endpoint}/moto-api/static/ecr/scan-finding-results`, {
    method: 'POST',
    body: JSON.stringify({
      region: 'us-east-1',
      results: [
        {
          registryId: '123456789012',
          repositoryName: REPOSITORY,
          imageId: { imageDigest: digest },
          imageScanStatus: { status: 'COMPLETE', description: 'The scan was completed successfully.' },
          ...result,
        },
      ],
    }),
  });
  expect(response.status).toBe(201);
}

const basic = (severity: string, cve: string, pkg: string, version: string) => ({
  name: cve,
  uri: `https://cve.mitre.org/cgi-bin/cvename.cgi?name=${cve}`,
  severity,
  attributes: [
    { key: 'package_name', value: pkg },
    { key: 'package_version', value: version },
  ],
});

async function gate(images: readonly PublishedImage[], failOn: FailOn, timeoutMs = 5_000) {
  const events: AwsEvent[] = [];
  const result = await gateOnScans({
    config,
    images,
    failOn,
    notify: (e) => events.push(e),
    timeoutMs,
    intervalMs: 50,
  });
  return { result, events };
}

beforeAll(async () => {
  moto = await startMoto();
  useEmulatorAsAws(moto.endpoint);
  ecr = new ECRClient(motoClientConfig(moto.endpoint));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
});

afterAll(async () => {
  ecr?.destroy();
  await moto?.stop();
  process.env = savedEnv;
});

describe('gateOnScans', () => {
  // The worst finding of an image against each --fail-on level: blocked when it reaches the level.
  const expected: Record<string, Record<FailOn, boolean>> = {
    CRITICAL: { CRITICAL: true, HIGH: true, MEDIUM: true, NONE: false },
    HIGH: { CRITICAL: false, HIGH: true, MEDIUM: true, NONE: false },
    MEDIUM: { CRITICAL: false, HIGH: false, MEDIUM: true, NONE: false },
    LOW: { CRITICAL: false, HIGH: false, MEDIUM: false, NONE: false },
    INFORMATIONAL: { CRITICAL: false, HIGH: false, MEDIUM: false, NONE: false },
  };

  for (const [worst, byLevel] of Object.entries(expected)) {
    it(`worst finding ${worst}: blocks at ${FAIL_ON_LEVELS.filter((l) => byLevel[l]).join(', ') || 'no level'}`, async () => {
      const img = await image();
      await seed(img.digest, {
        imageScanFindings: {
          findings: [
            basic(worst, 'CVE-2026-0001', 'openssl', '3.0.1'),
            basic('INFORMATIONAL', 'CVE-2026-0002', 'zlib', '1.2.13'),
          ],
          findingSeverityCounts:
            worst === 'INFORMATIONAL' ? { INFORMATIONAL: 2 } : { [worst]: 1, INFORMATIONAL: 1 },
        },
      });
      for (const failOn of FAIL_ON_LEVELS) {
        const { result } = await gate([img], failOn);
        expect({ failOn, blocked: result.blocked }).toEqual({ failOn, blocked: byLevel[failOn] });
        expect(result.findings[0]).toEqual({
          service: 'backend',
          severity: worst,
          name: 'CVE-2026-0001',
          packageName: 'openssl',
          packageVersion: '3.0.1',
        });
      }
    });
  }

  it('passes an image without findings at every level', async () => {
    const img = await image();
    await seed(img.digest, { imageScanFindings: { findings: [], findingSeverityCounts: {} } });
    for (const failOn of FAIL_ON_LEVELS)
      expect((await gate([img], failOn)).result).toEqual({ blocked: false, findings: [] });
  });

  it("reads enhanced scanning's findings with the fixed-in version", async () => {
    const img = await image('frontend');
    await seed(img.digest, {
      imageScanFindings: {
        enhancedFindings: [
          {
            severity: 'HIGH',
            title: 'CVE-2026-1234 - libxml2',
            packageVulnerabilityDetails: {
              vulnerabilityId: 'CVE-2026-1234',
              vulnerablePackages: [{ name: 'libxml2', version: '2.9.14', fixedInVersion: '2.9.14+dfsg-1.3' }],
            },
          },
        ],
        findingSeverityCounts: { HIGH: 1 },
      },
    });
    const { result } = await gate([img], 'HIGH');
    expect(result).toEqual({
      blocked: true,
      findings: [
        {
          service: 'frontend',
          severity: 'HIGH',
          name: 'CVE-2026-1234',
          packageName: 'libxml2',
          packageVersion: '2.9.14',
          fixedIn: '2.9.14+dfsg-1.3',
        },
      ],
    });
    expect(renderScanFindings(result, 'HIGH')).toBe(
      [
        'severity  service   package  version  fixed in         CVE',
        '--------  --------  -------  -------  ---------------  -------------',
        'HIGH      frontend  libxml2  2.9.14   2.9.14+dfsg-1.3  CVE-2026-1234',
        '',
        '1 finding reaches --fail-on HIGH: the deploy stops here. Rebuild on a fixed base, or acknowledge the risk with --fail-on CRITICAL.',
      ].join('\n'),
    );
  });

  it('collects the findings of every image, most severe first, and waits with progress while a scan runs', async () => {
    const a = await image('backend');
    const b = await image('frontend');
    await seed(a.digest, {
      imageScanFindings: {
        findings: [basic('MEDIUM', 'CVE-2026-0003', 'tar', '1.34')],
        findingSeverityCounts: { MEDIUM: 1 },
      },
    });
    await seed(b.digest, {
      imageScanFindings: {
        findings: [basic('CRITICAL', 'CVE-2026-0004', 'glibc', '2.36')],
        findingSeverityCounts: { CRITICAL: 1 },
      },
    });
    const { result, events } = await gate([a, b], 'CRITICAL');
    expect(result.blocked).toBe(true);
    expect(result.findings.map((f) => `${f.service} ${f.severity} ${f.name}`)).toEqual([
      'frontend CRITICAL CVE-2026-0004',
      'backend MEDIUM CVE-2026-0003',
    ]);
    // No scan yet for either digest: the gate starts one and reports that it waits.
    expect(events.filter((e) => e.code === 'aws.scan.wait').map((e) => e.data?.service)).toEqual([
      'backend',
      'frontend',
    ]);
    expect(events.filter((e) => e.code === 'aws.scan.complete').map((e) => e.message)).toEqual([
      'backend: scan complete, 1 MEDIUM',
      'frontend: scan complete, 1 CRITICAL',
    ]);
  });

  it('blocks on a scan that never finishes, unless --fail-on NONE', async () => {
    const img = await image();
    await seed(img.digest, { imageScanStatus: { status: 'IN_PROGRESS' }, imageScanFindings: {} });
    const { result, events } = await gate([img], 'CRITICAL', 500);
    expect(result).toEqual({ blocked: true, findings: [] });
    expect(events.find((e) => e.code === 'aws.scan.incomplete')?.message).toBe(
      `backend: the scan of ${img.repositoryUri}@${img.digest} did not finish within 1 s; deploy again later, or with --fail-on NONE to skip the gate`,
    );
    const none = await gate([img], 'NONE', 300);
    expect(none.result.blocked).toBe(false);
    expect(none.events.find((e) => e.code === 'aws.scan.incomplete')?.level).toBe('warn');
  });

  it('blocks on a scan ECR could not run', async () => {
    const img = await image();
    await seed(img.digest, {
      imageScanStatus: {
        status: 'UNSUPPORTED_IMAGE',
        description: 'UnsupportedImageError: The operating system is not supported',
      },
      imageScanFindings: {},
    });
    const { result, events } = await gate([img], 'HIGH');
    expect(result.blocked).toBe(true);
    expect(events.find((e) => e.code === 'aws.scan.incomplete')?.message).toContain(
      'could not scan 123456789012.dkr.ecr.us-east-1.amazonaws.com/cruddur/backend@sha256:',
    );
  });
});
