import { RemovalPolicy, Stack, type StackProps, CfnOutput } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../../config/index.ts';
import { names, pascal } from '../naming.ts';

export interface RegistryStackProps extends StackProps {
  readonly config: ResolvedConfig;
}

/**
 * Images kept per repository. Only counts expire images, never age: a service may run the same
 * image for months, and an age rule would delete it under the running tasks (a replacement or
 * scale-out could then not pull it). The running image is among the last pushed unless more than
 * this many builds were pushed without deploying.
 */
const KEEP_IMAGES = 20;
/** Untagged manifests (an interrupted push, a mirrored base's older digest) kept per repository. */
const KEEP_UNTAGGED = 5;

/**
 * ECR repositories: one per built service and one for the mirrored base image.
 * Its own stack because images must be pushed before the services that run them exist.
 */
export class RegistryStack extends Stack {
  public readonly repositories: Readonly<Record<string, ecr.Repository>>;
  public readonly baseRepository: ecr.Repository;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.baseRepository = this.repository('Base', names.baseRepository(config));
    const repositories: Record<string, ecr.Repository> = {};
    for (const service of config.services) {
      if (service.image.kind !== 'build') continue;
      repositories[service.id] = this.repository(pascal(service.id), names.repository(config, service));
    }
    this.repositories = repositories;
  }

  private repository(id: string, repositoryName: string): ecr.Repository {
    const repo = new ecr.Repository(this, id, {
      repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      // Images are the release history: keep them when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          description: `Keep the last ${KEEP_UNTAGGED} untagged images`,
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageCount: KEEP_UNTAGGED,
          rulePriority: 1,
        },
        {
          description: `Keep the last ${KEEP_IMAGES} images`,
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount: KEEP_IMAGES,
          rulePriority: 2,
        },
      ],
    });
    new CfnOutput(this, `${id}Uri`, {
      value: repo.repositoryUri,
      description: `ECR repository ${repositoryName}`,
    });
    return repo;
  }
}
