import type { CiPlan } from './plan.ts';

export interface ScriptOptions {
  /** The config's folder relative to the script's folder ('.' when they are the same). */
  readonly configDir: string;
  /** The config file's name in that folder. */
  readonly configFile: string;
}

/**
 * A POSIX sh script with the steps of the GitHub workflow, for any other CI. It expects AWS
 * credentials in the environment (the CI's own OpenID Connect federation, an instance role), and
 * takes the phase as its argument, so that a CI can give each stage its own credentials and its own
 * approval: `pull-request`, `deploy STAGE` (one stage) or `deploy` (every stage in order).
 */
export function shellScript(plan: CiPlan, options: ScriptOptions): string {
  const dir = options.configDir;
  const file = options.configFile;
  const order = plan.deploys.map((d) => d.stage.name).join(' ');
  const cases = plan.deploys.map((d) => {
    const flags = d.imagesFrom ? ` --images-from ${d.imagesFrom}` : '';
    const note = d.imagesFrom
      ? `# the digests ${d.imagesFrom} runs: nothing built or pushed`
      : '# builds and pushes the images, once';
    return [
      `    ${d.stage.name})`,
      `      ${note}`,
      `      berth deploy --stage ${d.stage.name}${flags}`,
      '      ;;',
    ].join('\n');
  });
  return `#!/bin/sh
# berth: continuous delivery of ${plan.app} for any CI, written by \`berth ci init --provider script\`.
# Write it again (berth ci init --provider script --force) after changing the stages in the config.
#
#   sh ${'$0'} pull-request    berth check (compliance, then the built images) and berth diff --stage ${plan.diffStage.name}
#   sh ${'$0'} deploy STAGE    deploy one stage (order: ${order})
#   sh ${'$0'} deploy          deploy every stage in that order
#
# AWS credentials come from the environment, never from this file: use your CI's OpenID Connect
# federation (or a runner's instance role) for a role that trusts only this pipeline. Give each
# stage its own credentials and put the production stages behind your CI's manual approval by
# running "deploy STAGE" once per stage. The first stage builds and pushes each image once; every
# later stage deploys the same digests (--images-from), so production runs what was tested.
# Clone with the whole history (no shallow clone): an image's tag is the last commit that changed
# its service, so an unchanged service keeps its image.
set -eu

cd "$(dirname "$0")${dir === '.' ? '' : `/${dir}`}"
config=${file}

berth() {
  npx --no-install berth "$@" --config "$config"
}

deploy_stage() {
  case "$1" in
${cases.join('\n')}
    *)
      echo "unknown stage $1 (stages: ${order})" >&2
      exit 2
      ;;
  esac
}

case "\${1:-}" in
  pull-request)
    berth check
    berth build
    berth check --images
    # Read-only credentials suffice: the template diff reads the deployed stack and images.
    berth diff --stage ${plan.diffStage.name} --method template
    ;;
  deploy)
    if [ "$#" -ge 2 ]; then
      deploy_stage "$2"
    else
      for stage in ${order}; do
        deploy_stage "$stage"
      done
    fi
    ;;
  *)
    echo "usage: sh $0 pull-request | deploy [STAGE]" >&2
    exit 2
    ;;
esac
`;
}
