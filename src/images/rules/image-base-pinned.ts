import { compliant, type ImageRule, type Problem, type RuleOutcome } from './rule.ts';
import type { ImageModel } from '../model.ts';

const BASE_NAME_LABEL = 'org.opencontainers.image.base.name';
const BASE_DIGEST_LABEL = 'org.opencontainers.image.base.digest';
/** berth's Containerfiles also record the build stage's base. */
export const BUILD_IMAGE_LABEL = 'dev.berth.build-image';

const PINNED = /@sha256:[a-f0-9]{64}$/;

/**
 * The image records its base, pinned by digest: a tag can be moved to other content, a digest
 * cannot, so the same Containerfile builds the same image from Docker Hub, ECR or a local mirror.
 */
export const ImageBasePinned: ImageRule = {
  id: 'ImageBasePinned',
  level: 'error',
  description: `The image's base is recorded (label ${BASE_NAME_LABEL}) and pinned by digest.`,
  fix: `Pass BASE_IMAGE=registry/repo@sha256:<digest> (berth mirror prints one) and record it: LABEL ${BASE_NAME_LABEL}="\${BASE_IMAGE}".`,
  evaluate: (image) => check(image),
};

function check(image: ImageModel): RuleOutcome {
  const labels = image.config.labels;
  const base = labels[BASE_NAME_LABEL];
  const problems: Problem[] = [];
  if (!base)
    problems.push({
      message: `no ${BASE_NAME_LABEL} label: nothing records which base the image was built from`,
    });
  else if (!PINNED.test(base)) problems.push({ message: `base ${base} is not pinned by digest` });
  const digest = labels[BASE_DIGEST_LABEL];
  if (base && digest && !base.endsWith(`@${digest}`))
    problems.push({ message: `${BASE_DIGEST_LABEL} ${digest} does not match the base ${base}` });
  const build = labels[BUILD_IMAGE_LABEL];
  if (build !== undefined && !PINNED.test(build))
    problems.push({ message: `build stage base ${build || '(empty)'} is not pinned by digest` });
  return problems.length === 0 ? compliant : { status: 'non-compliant', problems };
}
