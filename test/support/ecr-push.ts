import { createHash } from 'node:crypto';
import { ECRClient, PutImageCommand, StartImageScanCommand } from '@aws-sdk/client-ecr';
import type { DeploySteps, PublishedImage } from '../../src/aws/index.ts';
import { defaultSteps } from '../../src/aws/deploy/default-steps.ts';
import { pushedManifest } from './ecr-registry.ts';
import { motoClientConfig } from './moto.ts';

/** One finding as ECR's basic scan reports it (what moto's scan-finding-results takes). */
export interface SeededFinding {
  readonly severity: string;
  readonly name: string;
  readonly packageName: string;
  readonly packageVersion: string;
}

export const manifestDigest = (manifest: string) =>
  `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

/**
 * What ECR itself does after a push, which moto cannot see because the push went to the registry
 * stand-in: record the manifest under its tag and digest (PutImage with `imageDigest`, or moto
 * computes its own), and, as scan on push would, scan it: `findings` are seeded through moto's
 * /moto-api/static/ecr/scan-finding-results, then StartImageScan makes them the scan's result.
 */
export async function recordPush(
  endpoint: string,
  image: PublishedImage,
  findings: readonly SeededFinding[] = [],
): Promise<void> {
  const repositoryName = image.repositoryUri.slice(image.repositoryUri.indexOf('/') + 1);
  const manifest = await pushedManifest(repositoryName, image.tag);
  const ecr = new ECRClient(motoClientConfig(endpoint));
  try {
    await ecr.send(
      new PutImageCommand({
        repositoryName,
        imageTag: image.tag,
        imageDigest: image.digest,
        imageManifest: manifest,
        imageManifestMediaType: (JSON.parse(manifest) as { mediaType: string }).mediaType,
      }),
    );
    const counts: Record<string, number> = {};
    for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
    const seeded = await fetch(`${endpoint}/moto-api/static/ecr/scan-finding-results`, {
      method: 'POST',
      body: JSON.stringify({
        region: 'us-east-1',
        results: [
          {
            registryId: image.repositoryUri.split('.')[0],
            repositoryName,
            imageId: { imageDigest: image.digest },
            imageScanStatus: { status: 'COMPLETE', description: 'The scan was completed successfully.' },
            imageScanFindings: {
              findingSeverityCounts: counts,
              findings: findings.map((f) => ({
                name: f.name,
                uri: `https://cve.mitre.org/cgi-bin/cvename.cgi?name=${f.name}`,
                severity: f.severity,
                attributes: [
                  { key: 'package_name', value: f.packageName },
                  { key: 'package_version', value: f.packageVersion },
                ],
              })),
            },
          },
        ],
      }),
    });
    if (seeded.status !== 201) throw new Error(`moto refused the scan findings: ${await seeded.text()}`);
    await ecr.send(new StartImageScanCommand({ repositoryName, imageId: { imageDigest: image.digest } }));
  } finally {
    ecr.destroy();
  }
}

export interface RealSteps extends DeploySteps {
  /** What each publishImages call returned, in order. */
  readonly published: (readonly PublishedImage[])[];
}

/**
 * The CLI's own steps (src/aws/deploy/default-steps.ts: the real publish, scan gate and outside
 * check), with one addition after the real publish: each image it pushed is recorded in moto's
 * ECR as ECR would record and scan it (recordPush). Nothing of the real steps is replaced.
 */
export function realSteps(
  endpoint: string,
  findings: (service: string) => readonly SeededFinding[] = () => [],
): RealSteps {
  const real = defaultSteps();
  const published: (readonly PublishedImage[])[] = [];
  return {
    published,
    publishImages: async (o) => {
      const images = await real.publishImages(o);
      for (const image of images)
        if (image.pushed) await recordPush(endpoint, image, findings(image.service));
      published.push(images);
      return images;
    },
    promoteImages: (o) => real.promoteImages(o),
    gateOnScans: (o) => real.gateOnScans(o),
    verifyDeployment: (o) => real.verifyDeployment(o),
  };
}
