import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import { run } from '../images/run.ts';
import { UsageError } from '../shared/errors.ts';
import { githubWorkflow } from './github-workflow.ts';
import { ciPlan, type CiPlan } from './plan.ts';
import { shellScript } from './shell-script.ts';

export type CiProvider = 'github' | 'script';

export interface CiInitOptions {
  readonly provider: CiProvider;
  /** The config file (absolute): the CI runs berth with it. */
  readonly configFile: string;
  /** Where to write (absolute). @default `.github/workflows/berth.yml` or `berth-ci.sh` at the repository root */
  readonly out?: string;
  /** Replace a different file already there. */
  readonly force?: boolean;
  /** The branch whose pushes deploy. @default origin's default branch, else 'main' */
  readonly branch?: string;
}

export interface CiInitResult {
  readonly provider: CiProvider;
  readonly path: string;
  /** `unchanged`: the file was there with exactly this content. */
  readonly change: 'created' | 'updated' | 'unchanged';
  readonly plan: CiPlan;
  readonly branch: string;
}

/**
 * `berth ci init`: writes the CI definition for the config's stages into the repository that holds
 * the config. A different file already there is kept unless `force` (bad input changes nothing).
 */
export async function ciInit(config: ResolvedConfig, options: CiInitOptions): Promise<CiInitResult> {
  const plan = ciPlan(config);
  const root = await repositoryRoot(config.baseDir);
  const configPath = path.relative(root, options.configFile).split(path.sep).join('/');
  if (configPath.startsWith('..'))
    throw new UsageError(
      `${options.configFile} is outside the repository ${root}; run berth ci init inside it`,
    );
  const target =
    options.out ??
    path.join(root, options.provider === 'github' ? '.github/workflows/berth.yml' : 'berth-ci.sh');
  const branch = options.branch ?? (await defaultBranch(root));
  // Written into YAML and sh as it is: only the characters branch names are made of.
  if (!/^[A-Za-z0-9._/-]+$/.test(branch))
    throw new UsageError(`--branch ${branch}: use a branch name of letters, digits and . _ / - only`);
  const content =
    options.provider === 'github'
      ? githubWorkflow(plan, {
          branch,
          configPath,
          architectures: config.services.filter((s) => s.image.kind === 'build').map((s) => s.architecture),
        })
      : shellScript(plan, {
          configDir:
            path.relative(path.dirname(target), path.dirname(options.configFile)).split(path.sep).join('/') ||
            '.',
          configFile: path.basename(options.configFile),
        });
  const existing = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (existing === content)
    return { provider: options.provider, path: target, change: 'unchanged', plan, branch };
  if (existing !== undefined && !options.force)
    throw new UsageError(
      `${target} exists with other content; run berth ci init again with --force to replace it`,
    );
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
  if (options.provider === 'script') chmodSync(target, 0o755);
  return {
    provider: options.provider,
    path: target,
    change: existing === undefined ? 'created' : 'updated',
    plan,
    branch,
  };
}

/** The git work tree that holds `dir`, or `dir` itself outside git. */
async function repositoryRoot(dir: string): Promise<string> {
  try {
    return (await run('git', ['-C', dir, 'rev-parse', '--show-toplevel'])).stdout.trim();
  } catch {
    return dir;
  }
}

/** origin's default branch (refs/remotes/origin/HEAD), else 'main'. */
async function defaultBranch(root: string): Promise<string> {
  try {
    const ref = (
      await run('git', ['-C', root, 'symbolic-ref', '--short', 'refs/remotes/origin/HEAD'])
    ).stdout.trim();
    return ref.replace(/^origin\//, '') || 'main';
  } catch {
    return 'main';
  }
}
