import { compliant, type ImageRule, type Problem, type RuleOutcome } from './rule.ts';
import { platformName, type ImageModel } from '../model.ts';
import { ociArchitecture, platformOf } from '../platform.ts';

/**
 * The image runs on its service's CPU: its config says the service's platform, and its binaries
 * are machine code for it. An x86_64 image on an arm64 task (or the reverse) fails on Fargate with
 * `exec format error`; an image whose config says arm64 over x86_64 binaries (a build from a base
 * of the wrong platform) fails the same way, so both are read.
 */
export const ImageArchitectureMatches: ImageRule = {
  id: 'ImageArchitectureMatches',
  level: 'error',
  description: "The image's platform and its binaries' machine code are the service's architecture.",
  fix: 'Build for the service: berth build (it follows services.<id>.architecture) or --platform linux/amd64,linux/arm64, from bases of that platform; or set services.<id>.architecture to what the image is.',
  evaluate: (image, context) => check(image, context.architecture),
};

function check(image: ImageModel, architecture: 'x86_64' | 'arm64' | undefined): RuleOutcome {
  const problems: Problem[] = [];
  const claimed = image.platform.architecture;
  const where = architecture ? ` (services.${image.name}.architecture is ${architecture})` : '';
  if (architecture && claimed !== ociArchitecture(platformOf(architecture)))
    problems.push({
      message: `the image is ${platformName(image)}, not ${platformOf(architecture)}${where}: its task would fail with exec format error`,
    });
  if (image.platform.os !== 'linux')
    problems.push({ message: `the image is for ${image.platform.os}; Fargate runs linux images here` });
  // The config can be wrong about the contents: an arm64 image built FROM an amd64-only base.
  const foreign = [...image.files.values()]
    .filter((f) => f.type === 'file' && f.machine !== undefined && f.machine !== claimed)
    .sort((a, b) => a.path.localeCompare(b.path));
  for (const file of foreign.slice(0, 10))
    problems.push({
      path: file.path,
      message: `${file.path} is ${file.machine} machine code in a ${claimed} image`,
    });
  if (foreign.length > 10)
    problems.push({ message: `and ${foreign.length - 10} more binaries that are not ${claimed}` });
  return problems.length === 0 ? compliant : { status: 'non-compliant', problems };
}
