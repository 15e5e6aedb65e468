import type { ResolvedConfig } from '../../config/index.ts';
import { names } from '../../infra/index.ts';
import { deployedAppTemplate, type DeployedTemplate } from './deployed-template.ts';

const DIGEST = /@(sha256:[a-f0-9]{64})/;

/**
 * The image digest each service runs in the deployed app stack, read from its template's task
 * definitions (one per service, family names.service). Empty before the first deploy. A diff uses
 * these so that it shows what the config changes, not a new image it cannot know before a build;
 * a deploy of some services (`--service`) keeps the others on theirs.
 */
export async function deployedImages(config: ResolvedConfig): Promise<Record<string, string>> {
  return imagesIn(config, await deployedAppTemplate(config));
}

/** The same, from a template already read (a deploy reads it once for this and its cost line). */
export function imagesIn(
  config: ResolvedConfig,
  template: DeployedTemplate | undefined,
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const resource of Object.values(template?.Resources ?? {})) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const service = config.services.find((s) => names.service(config, s) === resource.Properties?.Family);
    const digest = DIGEST.exec(JSON.stringify(resource.Properties?.ContainerDefinitions ?? []))?.[1];
    if (service && digest) found[service.id] = digest;
  }
  return found;
}
