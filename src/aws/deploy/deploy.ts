import {
  ExpandStackSelection,
  StackParameters,
  StackSelectionStrategy,
  type DeploymentMethod,
  type Toolkit,
} from '@aws-cdk/toolkit-lib';
import { CancelUpdateStackCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CheckResult } from '../../checks/index.ts';
import type { CostChange } from '../../cost/index.ts';
import { requireService, type ResolvedConfig } from '../../config/index.ts';
import { shiftsTraffic } from '../../config/services.ts';
import { BerthError, firstLine, UsageError } from '../../shared/errors.ts';
import { synthAssembly, type TemplateTransform } from '../assembly.ts';
import { clientConfig } from '../clients.ts';
import type { AwsNotify } from '../events.ts';
import { assertAccount } from '../identity.ts';
import type { BerthIoHost, ResourceEvent } from '../io-host.ts';
import { stackStatus } from '../stack-state.ts';
import { verifyTargets } from '../verify.ts';
import { makeToolkit } from '../toolkit.ts';
import { costInputsIn, deployCostChange } from './cost-inputs.ts';
import { imagesIn } from './deployed-images.ts';
import { deployedAppTemplate, type DeployedTemplate } from './deployed-template.ts';
import { waitForRollouts, type ServiceRollout } from './ecs-rollout.ts';
import { sdkReleaseApi, watchReleases, type ReleaseApi, type ReleaseReport } from '../release/index.ts';
import type { DeploySteps, FailOn, PublishedImage, ScanGateResult, VerifyResult } from './steps.ts';

export type StackChange = 'created' | 'updated' | 'unchanged';

export interface DeployOptions {
  readonly steps: DeploySteps;
  readonly notify: AwsNotify;
  /** Deploy only these services' new images; the others keep the digest they run. @default all */
  readonly services?: readonly string[];
  /**
   * Deploy the exact digests this stage runs instead of building and pushing (`--images-from`):
   * one build promoted through every stage. Same account and region only (one registry).
   */
  readonly imagesFrom?: string;
  /** @default 'CRITICAL' */
  readonly failOn?: FailOn;
  readonly engine?: 'podman' | 'docker';
  /**
   * Asked before a stack left in ROLLBACK_COMPLETE by a failed first create is deleted; the CLI
   * prompts on a TTY and answers `--yes` otherwise. Without it, berth does not delete and stops.
   */
  readonly confirmDelete?: (stack: string) => Promise<boolean>;
  /** Aborted once: cancel a stack update in progress and wait for its rollback. */
  readonly signal?: AbortSignal;
  /**
   * CloudFormation change sets (the default) show CloudFormation's own plan before anything runs;
   * `direct` is for emulators whose change sets fall short (moto). docs/deploy.md argues the choice.
   */
  readonly method?: 'change-set' | 'direct';
  /** Run cfn-lint in the compliance check. @default true */
  readonly lint?: boolean;
  readonly rollout?: { readonly timeoutMs?: number; readonly intervalMs?: number };
  /**
   * How the ECS deployments of traffic-shifting services are followed while the app stack deploys:
   * the AWS calls (a stand-in in tests: moto has no service deployments, docs/testing.md) and the
   * polling interval (default 5 s).
   */
  readonly release?: { readonly api?: ReleaseApi; readonly intervalMs?: number };
  /**
   * How the outside check runs. `ca` (PEM) and `connectTo` (`host:port`) point it at a local HTTPS
   * server standing in for the public URLs (tests, docs/testing.md); the check itself is never skipped.
   */
  readonly verify?: {
    readonly attempts?: number;
    readonly intervalMs?: number;
    readonly ca?: string;
    readonly connectTo?: string;
  };
  /** Test-only rewrite of the templates for moto (docs/testing.md). */
  readonly transform?: TemplateTransform;
}

export interface StepTiming {
  readonly step: 'identity' | 'check' | 'registry' | 'images' | 'scan' | 'app' | 'rollout' | 'verify';
  readonly ms: number;
}

export interface DeployResult {
  readonly ok: boolean;
  readonly stage: string;
  readonly account: string;
  readonly region: string;
  /** The step that stopped the deploy, and why, when it did not go through. */
  readonly failure?: { readonly step: StepTiming['step']; readonly message: string };
  /** Set when the compliance check found something: nothing was deployed. */
  readonly check?: CheckResult;
  readonly images: readonly PublishedImage[];
  readonly scan?: ScanGateResult;
  readonly stacks: readonly { readonly name: string; readonly change: StackChange }[];
  /** Resource events CloudFormation recorded as failed, with their reasons. */
  readonly failedEvents: readonly ResourceEvent[];
  readonly rollouts: readonly ServiceRollout[];
  /** Blue/green, canary and linear services: how each ECS deployment ended, and why it was rolled back. */
  readonly releases?: readonly ReleaseReport[];
  readonly verify?: VerifyResult;
  /** The monthly cost change of this deploy's config against the deployed one (src/cost costChange). */
  readonly cost?: CostChange;
  /** Why `cost` is missing, when it is. */
  readonly costNote?: string;
  /** True when the deploy pushed no image and changed no stack. */
  readonly nothingChanged: boolean;
  /** True when a Ctrl-C cancelled a stack update and CloudFormation rolled it back. */
  readonly cancelled: boolean;
  readonly urls: readonly string[];
  readonly timings: readonly StepTiming[];
}

/** Statuses a failed first create leaves behind; CloudFormation can only delete such a stack. */
const DEAD_ON_ARRIVAL = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED']);

/**
 * `berth deploy`: check, registry stack, images, scan gate, app stack with every image pinned by
 * digest, ECS rollouts, verification from outside. Each step reports progress through `notify`;
 * a step that fails ends the deploy with `ok: false` and the reason (the CLI exits 1). The image and
 * verification steps are injected (`steps`), so this function owns only the CloudFormation side.
 */
export async function deploy(config: ResolvedConfig, options: DeployOptions): Promise<DeployResult> {
  const { notify, steps } = options;
  for (const id of options.services ?? []) requireService(config, id);
  if (options.imagesFrom !== undefined) {
    if (options.services)
      throw new UsageError(
        "--images-from promotes every service's image as the other stage runs it; leave out --service",
      );
    (await import('./promoted-images.ts')).assertPromotable(config, options.imagesFrom);
  }
  const timings: StepTiming[] = [];
  const timed = async <T>(step: StepTiming['step'], run: () => Promise<T>): Promise<T> => {
    // A Ctrl-C between steps stops the deploy there: what is deployed so far stays as it is.
    if (options.signal?.aborted) {
      throw new BerthError(
        `deploy cancelled before ${STEP_TITLES[step]}; what was deployed before stays as it is`,
      );
    }
    const start = Date.now();
    notify({ level: 'info', code: 'aws.step.start', message: STEP_TITLES[step], data: { step } });
    try {
      return await run();
    } finally {
      const ms = Date.now() - start;
      timings.push({ step, ms });
      notify({
        level: 'debug',
        code: 'aws.step.done',
        message: `${STEP_TITLES[step]}: ${ms} ms`,
        data: { step, ms },
      });
    }
  };
  const base = { stage: config.stage, account: config.env.account, region: config.env.region };
  const empty = {
    images: [],
    stacks: [],
    failedEvents: [],
    rollouts: [],
    nothingChanged: false,
    cancelled: false,
    urls: [],
    timings,
  };

  await timed('identity', () => assertAccount(config, notify));

  const { check } = await import('../../checks/index.ts');
  const checked = await timed('check', () => check(config, { skipLint: options.lint === false }));
  if (!checked.passed) {
    return {
      ...base,
      ...empty,
      ok: false,
      check: checked,
      failure: {
        step: 'check',
        message: `${checked.findings.length} unacknowledged compliance finding${checked.findings.length === 1 ? '' : 's'}; fix them (or acknowledge them in the config with a reason) and deploy again`,
      },
    };
  }

  // Read once, before the app stack changes: the config it was deployed with (for the cost change)
  // and the digests it runs (for the services --service leaves out).
  const deployedBefore = await deployedAppTemplate(config);
  const costBefore = costInputsIn(config, deployedBefore);
  const { toolkit, host } = makeToolkit(notify);
  const method: DeploymentMethod =
    options.method === 'direct' ? { method: 'direct' } : { method: 'change-set' };
  const first = synthAssembly(config, options.transform ? { transform: options.transform } : {});
  for (const stack of [first.registryStack, first.appStack])
    await clearFailedCreate(config, stack, toolkit, first.outdir, options);

  const stacks: { name: string; change: StackChange }[] = [];
  const fail = (
    step: StepTiming['step'],
    message: string,
    more: Partial<DeployResult> = {},
  ): DeployResult => ({
    ...base,
    ...empty,
    stacks,
    failedEvents: host.failedEvents,
    ok: false,
    failure: { step, message },
    ...more,
  });

  const registry = await timed('registry', () =>
    deployStack(toolkit, host, first.outdir, first.registryStack, method),
  );
  if (!registry.ok) return fail('registry', registry.message);
  stacks.push({ name: first.registryStack, change: registry.change });

  const from = options.imagesFrom;
  const images = await timed('images', async () =>
    from !== undefined
      ? steps.promoteImages({ config, from, notify })
      : steps.publishImages({
          config,
          ...(options.services ? { services: options.services } : {}),
          ...(options.engine ? { engine: options.engine } : {}),
          notify,
          ...(options.signal ? { signal: options.signal } : {}),
        }),
  );
  const scan = await timed('scan', () =>
    steps.gateOnScans({ config, images, failOn: options.failOn ?? 'CRITICAL', notify }),
  );
  if (scan.blocked) {
    return fail(
      'scan',
      `image scan findings reach --fail-on ${options.failOn ?? 'CRITICAL'}; nothing was deployed to the app stack`,
      { images, scan },
    );
  }

  const imageVersions = pinnedDigests(config, images, options.services, deployedBefore);
  const second = synthAssembly(config, {
    imageVersions,
    ...(options.transform ? { transform: options.transform } : {}),
  });
  const cancel = options.signal ? cancelOnAbort(config, host, options.signal, notify) : undefined;
  // CloudFormation waits for each service's ECS deployment; a traffic-shifting one is followed
  // stage by stage meanwhile, so the user sees test traffic, each shift and the bake as they happen.
  const shifting = config.services.filter(
    (s) => shiftsTraffic(s) && (!options.services || options.services.includes(s.id)),
  );
  const releaseApi = shifting.length > 0 ? (options.release?.api ?? sdkReleaseApi(config)) : undefined;
  const watch = releaseApi
    ? watchReleases(config, {
        api: releaseApi,
        notify,
        services: shifting,
        ...(options.release?.intervalMs !== undefined ? { intervalMs: options.release.intervalMs } : {}),
      })
    : undefined;
  let app;
  let releases: ReleaseReport[] = [];
  try {
    app = await timed('app', () => deployStack(toolkit, host, second.outdir, second.appStack, method));
  } finally {
    cancel?.dispose();
    releases = (await watch?.stop()) ?? [];
    if (releaseApi && !options.release?.api) releaseApi.destroy();
  }
  const rolledBack = releases.filter((r) => r.failed);
  if (rolledBack.length > 0) {
    return fail(
      'app',
      rolledBack
        .map(
          (r) =>
            `${r.service}: ECS rolled the release back, the previous version keeps serving: ${r.why.join('; ')}`,
        )
        .join('; '),
      { images, scan, releases },
    );
  }
  if (!app.ok) {
    const cancelled = cancel?.requested ?? false;
    return fail(
      'app',
      cancelled ? `cancelled: ${second.appStack} was rolled back to what it was before` : app.message,
      {
        images,
        scan,
        cancelled,
        releases,
      },
    );
  }
  stacks.push({ name: second.appStack, change: app.change });

  const rollouts = await timed('rollout', () =>
    waitForRollouts(config, {
      notify,
      ...options.rollout,
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  );
  const notDone = rollouts.filter((r) => r.state !== 'COMPLETED');
  if (notDone.length > 0) {
    return fail(
      'rollout',
      notDone
        .map((r) =>
          r.state === 'FAILED'
            ? `${r.service}: the new version did not become healthy; ECS's circuit breaker rolled back and the previous version keeps serving${r.reason ? ` (${r.reason})` : ''}`
            : `${r.service}: ${r.state === 'MISSING' ? 'no such ECS service' : `still rolling out (${r.running}/${r.desired} running)`}`,
        )
        .join('; '),
      { images, scan, rollouts },
    );
  }

  const targets = verifyTargets(config);
  const verified = await timed('verify', () =>
    steps.verifyDeployment({ targets, notify, ...options.verify }),
  );
  const nothingChanged = images.every((i) => !i.pushed) && stacks.every((s) => s.change === 'unchanged');
  const cost = await deployCostChange(config, costBefore);
  if (nothingChanged) {
    notify({
      level: 'info',
      code: 'aws.stack.no-change',
      message: 'nothing changed: no image pushed, no stack updated',
    });
  }
  return {
    ...base,
    ok: verified.ok,
    ...(verified.ok
      ? {}
      : {
          failure: {
            step: 'verify' as const,
            message: 'the deployed services do not answer healthy from outside',
          },
        }),
    images,
    scan,
    stacks,
    failedEvents: host.failedEvents,
    rollouts,
    ...(releases.length > 0 ? { releases } : {}),
    verify: verified,
    ...(cost.change ? { cost: cost.change } : {}),
    ...(cost.note ? { costNote: cost.note } : {}),
    nothingChanged,
    cancelled: false,
    urls: targets.map((t) => t.url),
    timings,
  };
}

const STEP_TITLES: Record<StepTiming['step'], string> = {
  identity: 'checking the AWS account',
  check: 'running the compliance checks',
  registry: 'deploying the registry stack',
  images: 'building and pushing images',
  scan: 'waiting for image scans',
  app: 'deploying the app stack',
  rollout: 'waiting for the ECS services to roll out',
  verify: 'verifying from outside',
};

/**
 * The digest per service for the app stack: the ones just published, and for services left out
 * with --service, the one they run now. A service with neither cannot be deployed yet.
 */
function pinnedDigests(
  config: ResolvedConfig,
  images: readonly PublishedImage[],
  only: readonly string[] | undefined,
  deployed: DeployedTemplate | undefined,
): Record<string, string> {
  const versions: Record<string, string> = only ? imagesIn(config, deployed) : {};
  for (const image of images) versions[image.service] = image.digest;
  const built = config.services.filter((s) => s.image.kind === 'build');
  const missing = built.filter((s) => !versions[s.id]).map((s) => s.id);
  if (missing.length > 0) {
    throw new BerthError(
      `no image digest for ${missing.join(', ')}: ${only ? 'they have never been deployed; deploy without --service first' : 'the image step returned none'}`,
    );
  }
  return versions;
}

export type StackOutcome = { ok: true; change: StackChange } | { ok: false; message: string };

/**
 * One stack through the toolkit, its events streamed by the IoHost; never throws for a failed
 * deploy. berth's other stacks (the CI access stack of `berth ci bootstrap`) deploy through it too.
 */
export async function deployStack(
  toolkit: Toolkit,
  host: BerthIoHost,
  outdir: string,
  stack: string,
  deploymentMethod: DeploymentMethod,
): Promise<StackOutcome> {
  const cx = await toolkit.fromAssemblyDirectory(outdir);
  try {
    await toolkit.deploy(cx, {
      stacks: {
        strategy: StackSelectionStrategy.PATTERN_MUST_MATCH,
        patterns: [stack],
        expand: ExpandStackSelection.NONE,
      },
      deploymentMethod,
      // Keeps the parameters a stack was deployed with (BootstrapVersion): an unchanged template is then
      // a no-op instead of an update with nothing in it.
      parameters: StackParameters.onlyExisting(),
    });
  } catch (err) {
    return { ok: false, message: `${stack}: ${firstLine(err)}` };
  }
  const outcome = host.outcomes.findLast((o) => o.stack === stack);
  const started = host.started.findLast((s) => s.stack === stack);
  const change: StackChange = outcome?.noOp ? 'unchanged' : started?.update ? 'updated' : 'created';
  return { ok: true, change };
}

/**
 * A stack that failed on its first create stays in ROLLBACK_COMPLETE and can only be deleted.
 * Say so, ask, and delete it through the toolkit, instead of failing on CloudFormation's message.
 */
async function clearFailedCreate(
  config: ResolvedConfig,
  stack: string,
  toolkit: Toolkit,
  outdir: string,
  options: DeployOptions,
): Promise<void> {
  const status = await stackStatus(config, stack);
  if (!status || !DEAD_ON_ARRIVAL.has(status)) return;
  options.notify({
    level: 'warn',
    code: 'aws.stack.failed-create',
    message: `${stack} is in ${status}: its first create failed and CloudFormation rolled it back; it holds nothing and must be deleted before it can be created again`,
    data: { stack, status },
  });
  const yes = options.confirmDelete ? await options.confirmDelete(stack) : false;
  if (!yes) {
    // Not confirmed (no terminal and no --yes, or answered no): like destroy, a usage matter (exit 2).
    throw new UsageError(
      `${stack} is in ${status} from a failed first create; delete it (berth deploy --yes, or berth destroy) and deploy again`,
    );
  }
  const cx = await toolkit.fromAssemblyDirectory(outdir);
  await toolkit.destroy(cx, {
    stacks: {
      strategy: StackSelectionStrategy.PATTERN_MUST_MATCH,
      patterns: [stack],
      expand: ExpandStackSelection.NONE,
    },
  });
}

/**
 * On the first abort, CloudFormation's CancelUpdateStack for the stack being updated; the toolkit
 * keeps following its events until the rollback ends and then reports the update as failed. The
 * toolkit has no cancel of its own. A stack being created cannot be cancelled (CloudFormation
 * answers ValidationError): it is then left to finish, and the notify says so.
 */
function cancelOnAbort(config: ResolvedConfig, host: BerthIoHost, signal: AbortSignal, notify: AwsNotify) {
  const listener = () => void onAbort();
  const state = { requested: false, dispose: () => signal.removeEventListener('abort', listener) };
  async function onAbort() {
    const stacks = [...host.active];
    if (stacks.length === 0) return;
    const cfn = new CloudFormationClient(clientConfig(config));
    try {
      for (const stack of stacks) {
        try {
          await cfn.send(new CancelUpdateStackCommand({ StackName: stack }));
          state.requested = true;
          notify({
            level: 'warn',
            code: 'aws.stack.cancel',
            message: `${stack}: update cancelled; waiting for CloudFormation to roll it back`,
            data: { stack },
          });
        } catch (err) {
          notify({
            level: 'warn',
            code: 'aws.stack.cancel',
            message: `${stack}: cannot cancel (${firstLine(err)}); it continues`,
            data: { stack },
          });
        }
      }
    } finally {
      cfn.destroy();
    }
  }
  signal.addEventListener('abort', listener, { once: true });
  return state;
}
