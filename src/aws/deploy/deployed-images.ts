import type { ResolvedConfig } from '../../config/index.ts';
import { names } from '../../infra/index.ts';
import { deployedAppTemplate } from './deployed-template.ts';

const DIGEST = /@(sha256:[a-f0-9]{64})/;

/**
 * The image digest each service runs in the deployed app stack, read from its template's task
 * definitions (one per service, family names.service). Empty before the first deploy. A diff uses
 * these so that it shows what the config changes, not a new image it cannot know before a build;
 * a deploy of some services (`--service`) keeps the others on theirs.
 */
export async function deployedImages(config: ResolvedConfig): Promise<Record<string, string>> {
  const template = await deployedAppTemplate(config);
  const found: Record<string, string> = {};
  for (const resource of Object.values(template?.Resources ?? {})) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const service = config.services.find((s) => names.service(config, s) === resource.Properties?.Family);
    const digest = DIGEST.exec(JSON.stringify(resource.Properties?.ContainerDefinitions ?? []))?.[1];
    if (service && digest) found[service.id] = digest;
  }
  return found;
}
