import { DescribeImagesCommand, ECRClient, ImageNotFoundException } from '@aws-sdk/client-ecr';
import type { ResolvedConfig } from '../../config/index.ts';
import { names } from '../../infra/index.ts';
import { BerthError, UsageError } from '../../shared/errors.ts';
import { clientConfig } from '../clients.ts';
import type { AwsNotify } from '../events.ts';
import { ecrRegistry } from '../images/publish.ts';
import { deployedImages } from './deployed-images.ts';
import type { PublishedImage } from './steps.ts';

/**
 * Refuses a promotion that cannot work, before anything runs (deploy calls it first): the source
 * must be another declared stage with the same registry (the same account and region).
 */
export function assertPromotable(config: ResolvedConfig, from: string): void {
  const source = config.stages.find((s) => s.name === from);
  if (from === config.stage)
    throw new UsageError(
      `--images-from ${from} names the stage being deployed; name the stage to promote from`,
    );
  if (!source)
    throw new UsageError(
      `--images-from ${from}: the config declares no stage ${from} (it declares ${config.stages.map((s) => s.name).join(', ')})`,
    );
  if (source.account !== config.env.account || source.region !== config.env.region)
    throw new UsageError(
      `--images-from ${from}: stage ${from} uses the registry of ${source.account}/${source.region} and stage ${config.stage} that of ${config.env.account}/${config.env.region}; promotion by digest needs one registry, so put both stages in one account and region (or deploy ${config.stage} without --images-from)`,
    );
}

/**
 * `berth deploy --images-from STAGE`: the exact digests STAGE runs (read from its deployed app
 * template), for a deploy that builds and pushes nothing. This is how CI promotes one build through
 * every stage: what was tested is, byte for byte, what production runs. Both stages must use one
 * registry (the registry is per app, account and region: src/infra/naming.ts); the image is looked
 * up in ECR by digest, so one that a lifecycle rule expired is refused here, before any stack changes.
 */
export async function promoteImages({
  config,
  from,
  notify,
}: {
  config: ResolvedConfig;
  from: string;
  notify: AwsNotify;
}): Promise<readonly PublishedImage[]> {
  const running = await deployedImages({ ...config, stage: from });
  const built = config.services.filter((s) => s.image.kind === 'build');
  const missing = built.filter((s) => !running[s.id]).map((s) => s.id);
  if (missing.length > 0)
    throw new BerthError(
      `stage ${from} runs no image of ${missing.join(', ')} to promote; deploy stage ${from} first (berth deploy --stage ${from})`,
    );
  const ecr = new ECRClient(clientConfig(config));
  try {
    const images: PublishedImage[] = [];
    for (const service of built) {
      const digest = running[service.id]!;
      const repositoryName = names.repository(config, service);
      const repositoryUri = `${ecrRegistry(config)}/${repositoryName}`;
      const found = await ecr
        .send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest: digest }] }))
        .catch((err: unknown) => {
          if (err instanceof ImageNotFoundException)
            throw new BerthError(
              `${repositoryUri}@${digest}, which stage ${from} runs, is no longer in ECR (a lifecycle rule expired it?); deploy stage ${from} again to push it, then promote`,
              { cause: err },
            );
          throw err;
        });
      const tag = found.imageDetails?.[0]?.imageTags?.[0] ?? '';
      notify({
        level: 'info',
        code: 'aws.publish.promote',
        message: `${service.id}: ${repositoryUri}@${digest}${tag ? ` (${tag})` : ''}, as stage ${from} runs it; nothing built or pushed`,
        data: { service: service.id, repositoryUri, tag, digest, from },
      });
      images.push({ service: service.id, repositoryUri, tag, digest, pushed: false });
    }
    return images;
  } finally {
    ecr.destroy();
  }
}
