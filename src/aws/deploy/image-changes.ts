import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { ResolvedConfig } from '../../config/index.ts';
import { names } from '../../infra/index.ts';
import { clientConfig } from '../clients.ts';

export interface ImageChange {
  readonly service: string;
  /** The tag a deploy would build and push now (from git: the last commit of the build context). */
  readonly tag?: string;
  /** What the app stack runs now, and the tags ECR lists for it; none before the first deploy. */
  readonly deployed?: { readonly digest: string; readonly tags: readonly string[] };
  /**
   * `new`: never deployed; `rebuild`: the sources changed since the deployed image, so a deploy
   * pushes a new image and updates this service's task definition; `unchanged`: the deployed
   * image is the one the sources make; `unknown`: outside git, only a build can tell.
   */
  readonly change: 'new' | 'rebuild' | 'unchanged' | 'unknown';
}

/**
 * Which services a deploy would give a new image, without building: images are tagged with the
 * last commit of their build context, so a service whose current tag is among the tags of the
 * digest it runs builds to that same image (publish skips it), and any other gets a new one.
 */
export async function imageChanges(
  config: ResolvedConfig,
  deployed: Readonly<Record<string, string>>,
): Promise<ImageChange[]> {
  const { serviceSource } = await import('../images/publish.ts');
  const ecr = new ECRClient(clientConfig(config));
  try {
    const out: ImageChange[] = [];
    for (const service of config.services) {
      if (service.image.kind !== 'build') continue;
      const { tag } = await serviceSource(config, service);
      const digest = deployed[service.id];
      if (!digest) {
        out.push({ service: service.id, ...(tag ? { tag } : {}), change: 'new' });
        continue;
      }
      const tags = await ecr
        .send(
          new DescribeImagesCommand({
            repositoryName: names.repository(config, service),
            imageIds: [{ imageDigest: digest }],
          }),
        )
        .then((r): string[] => r.imageDetails?.[0]?.imageTags ?? [])
        .catch((err: Error): string[] => {
          // The deployed image is gone from the repository (a lifecycle rule): a deploy pushes anew.
          if (err.name === 'ImageNotFoundException' || err.name === 'RepositoryNotFoundException') return [];
          throw err;
        });
      const change = !tag ? 'unknown' : tags.includes(tag) ? 'unchanged' : 'rebuild';
      out.push({ service: service.id, ...(tag ? { tag } : {}), deployed: { digest, tags }, change });
    }
    return out;
  } finally {
    ecr.destroy();
  }
}
