import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { ResolvedConfig } from '../../src/config/index.ts';
import type { DeploySteps, PublishedImage, TemplateTransform, VerifyTarget } from '../../src/aws/index.ts';
import { defaultSteps } from '../../src/aws/deploy/default-steps.ts';
import { serviceSource } from '../../src/aws/images/publish.ts';
import { names, synth } from '../../src/infra/index.ts';
import { motoClientConfig, startMoto, type Moto } from './moto.ts';
import { forMoto, type MotoStandIns } from './moto-transform.ts';

/**
 * moto_server as the AWS account berth deploys to: the process environment points the SDK (and
 * so the toolkit) at it, with fake credentials and no shared config files, so nothing real is
 * ever reached. The endpoint names `localhost`: moto reads a CloudFormation TemplateURL
 * path-style only then (docs/testing.md).
 */
export interface MotoAccount {
  readonly moto: Moto;
  readonly endpoint: string;
  /** The environment a child `berth` process needs to reach the same moto. */
  readonly env: Record<string, string>;
  readonly stop: () => Promise<void>;
}

export async function startMotoAccount(motoEnv: Record<string, string> = {}): Promise<MotoAccount> {
  // Running services COMPLETED with one task, as ECS reports a finished rollout (docs/testing.md).
  const moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '1', ...motoEnv } });
  const endpoint = `http://localhost:${moto.port}`;
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/berth-test-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/berth-test-aws-credentials',
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  delete process.env.AWS_PROFILE;
  return {
    moto,
    endpoint,
    env,
    stop: async () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await moto.stop();
    },
  };
}

/** Forgets everything moto holds: stacks with a VPC cannot be deleted there, so tests start over. */
export async function resetMoto(account: MotoAccount): Promise<void> {
  await fetch(`${account.moto.endpoint}/moto-api/reset`, { method: 'POST' });
}

/**
 * What exists before berth in a real account (the hosted zone) and what moto cannot create (the
 * ACM certificate), made in moto; and the template rewrite that puts them in (moto-transform.ts).
 */
export async function motoStandIns(
  account: { readonly endpoint: string },
  config: ResolvedConfig,
): Promise<{ stand: MotoStandIns; transform: TemplateTransform }> {
  const c = motoClientConfig(account.endpoint);
  const zone = await new Route53Client(c).send(
    new CreateHostedZoneCommand({ Name: config.domain, CallerReference: `berth-${Date.now()}` }),
  );
  const cert = await new ACMClient(c).send(
    new RequestCertificateCommand({ DomainName: config.domain, ValidationMethod: 'DNS' }),
  );
  const stand = {
    certificateArn: cert.CertificateArn!,
    hostedZone: { from: config.hostedZone.id, to: zone.HostedZone!.Id!.split('/').pop()! },
  };
  return {
    stand,
    transform: (_stack, template) =>
      forMoto(template as Parameters<typeof forMoto>[0], stand) as Record<string, unknown>,
  };
}

/**
 * Synthesizes `config` and creates its stacks (registry and app, or those named) in moto's
 * CloudFormation with the stand-ins, as a deploy would leave them short of running tasks. A stack
 * that is not CREATE_COMPLETE throws with the resources that failed and moto's last words.
 */
export async function createStacksInMoto(
  moto: Moto,
  config: ResolvedConfig,
  only?: 'app',
): Promise<{ stand: MotoStandIns }> {
  const { stand, transform } = await motoStandIns(moto, config);
  const result = synth(config, { validate: false });
  const cfn = new CloudFormationClient(motoClientConfig(moto.endpoint));
  const stacks = only === 'app' ? [result.appStack] : [result.registryStack, result.appStack];
  for (const { stackName: name } of stacks) {
    const template = transform(
      name,
      JSON.parse(readFileSync(result.templates[name]!, 'utf8')) as Record<string, unknown>,
    );
    await cfn.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: JSON.stringify(template),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
    if (stack.StackStatus === 'CREATE_COMPLETE') continue;
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
    throw new Error(
      `${name}: ${stack.StackStatus}: ${events
        .filter((e) => String(e.ResourceStatus).includes('FAILED'))
        .map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`)
        .join('; ')}\n${moto.stderr().slice(-2000)}`,
    );
  }
  cfn.destroy();
  return { stand };
}

/**
 * Per service, the one image digest its task definition pins in a deployed app stack's template, as
 * CloudFormation holds it (read back, not taken from berth's own reading of it).
 */
export async function templateDigests(
  moto: { readonly endpoint: string },
  config: ResolvedConfig,
): Promise<Record<string, string>> {
  const cfn = new CloudFormationClient(motoClientConfig(moto.endpoint));
  try {
    const stack = names.appStack(config);
    const body = (await cfn.send(new GetTemplateCommand({ StackName: stack }))).TemplateBody!;
    const resources = (JSON.parse(body) as { Resources: Record<string, { Type: string; Properties: any }> })
      .Resources;
    const out: Record<string, string> = {};
    for (const service of config.services) {
      const family = names.service(config, service);
      const definition = Object.values(resources).find(
        (r) => r.Type === 'AWS::ECS::TaskDefinition' && r.Properties.Family === family,
      )!;
      const digests = [
        ...JSON.stringify(definition.Properties.ContainerDefinitions).matchAll(/@(sha256:[a-f0-9]{64})/g),
      ].map((m) => m[1]!);
      if (digests.length !== 1) throw new Error(`${family} pins ${digests.length} digests, not one`);
      out[service.id] = digests[0]!;
    }
    return out;
  } finally {
    cfn.destroy();
  }
}

/**
 * The image and verification steps of a deploy, standing in for src/aws/images/publish.ts,
 * scan-gate.ts and verify.ts (another branch builds those; their own tests cover them). The
 * publish step is not a fake answer: it puts a real image manifest per service into moto's ECR,
 * in the repository the registry stack created, and returns the digest ECR computed, so the app
 * stack is pinned to images that exist. `version` changes the manifest (a code change).
 */
export interface RecordingSteps extends DeploySteps {
  readonly calls: { publish: number; gate: number; verify: VerifyTarget[][] };
  version: string;
  blockScans: boolean;
}

export function motoSteps(account: MotoAccount): RecordingSteps {
  const ecr = new ECRClient(motoClientConfig(account.endpoint));
  const steps: RecordingSteps = {
    calls: { publish: 0, gate: 0, verify: [] },
    version: 'v1',
    blockScans: false,
    async publishImages({ config, services, notify }) {
      steps.calls.publish++;
      const out: PublishedImage[] = [];
      for (const service of config.services) {
        if (service.image.kind !== 'build' || (services && !services.includes(service.id))) continue;
        const repositoryName = names.repository(config, service);
        const manifest = imageManifest(`${service.id}-${steps.version}`);
        const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
        // Tagged as publish tags (the last commit of the service's build context), so that
        // diff's image check sees the deployed image as the one the sources make.
        const source = (await serviceSource(config, service)).tag ?? 'untracked';
        const tag = steps.version === 'v1' ? source : `${source}-${steps.version}`;
        let pushed = true;
        try {
          await ecr.send(
            new PutImageCommand({
              repositoryName,
              imageManifest: manifest,
              imageTag: tag,
              imageDigest: digest,
            }),
          );
        } catch (err) {
          if ((err as Error).name !== 'ImageAlreadyExistsException') throw err;
          pushed = false;
        }
        notify({
          level: 'info',
          code: 'aws.images.pushed',
          message: `${service.id}: ${digest}`,
          data: { digest },
        });
        out.push({
          service: service.id,
          repositoryUri: `${config.env.account}.dkr.ecr.${config.env.region}.amazonaws.com/${repositoryName}`,
          tag,
          digest,
          pushed,
        });
      }
      return out;
    },
    // The real promotion: it reads the source stage's template and ECR, both in moto.
    promoteImages: (o) => defaultSteps().promoteImages(o),
    async gateOnScans() {
      steps.calls.gate++;
      return steps.blockScans
        ? { blocked: true, findings: [{ service: 'backend', severity: 'CRITICAL', name: 'CVE-2026-0001' }] }
        : { blocked: false, findings: [] };
    },
    async verifyDeployment({ targets }) {
      steps.calls.verify.push([...targets]);
      return { ok: true, checks: targets.map((t) => ({ ...t, status: 200, attempts: 1, ok: true, ms: 1 })) };
    },
  };
  return steps;
}

/** A minimal OCI image manifest whose config digest depends on `seed`, so each seed is another image. */
function imageManifest(seed: string): string {
  const config = createHash('sha256').update(seed).digest('hex');
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${config}`, size: 2 },
    layers: [],
  });
}
