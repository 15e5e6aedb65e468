import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import type { ResolvedConfig } from '../../config/index.ts';
import { names } from '../../infra/index.ts';
import { clientConfig } from '../clients.ts';

/** The parts of a deployed app stack's template that berth reads back. */
export interface DeployedTemplate {
  readonly Metadata?: Record<string, unknown>;
  readonly Resources?: Record<
    string,
    { readonly Type?: string; readonly Properties?: { Family?: string; ContainerDefinitions?: unknown } }
  >;
}

/**
 * The template the stage's app stack was deployed with (as submitted, before CloudFormation's own
 * processing); undefined before its first deploy.
 */
export async function deployedAppTemplate(config: ResolvedConfig): Promise<DeployedTemplate | undefined> {
  const cfn = new CloudFormationClient(clientConfig(config));
  try {
    const body = await cfn
      .send(new GetTemplateCommand({ StackName: names.appStack(config), TemplateStage: 'Original' }))
      .then((r) => r.TemplateBody)
      .catch((err: Error) => {
        if (err.name === 'ValidationError') return undefined; // no such stack yet
        throw err;
      });
    return body ? (JSON.parse(body) as DeployedTemplate) : undefined;
  } finally {
    cfn.destroy();
  }
}
