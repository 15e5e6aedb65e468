import { ACTIONS, uses } from './actions.ts';
import type { CiPlan, CiRole, StageDeploy } from './plan.ts';

export interface WorkflowOptions {
  /** The CPU architectures of the built images (ResolvedService.architecture). */
  readonly architectures: readonly string[];
  /** The branch whose pushes deploy. @default 'main' */
  readonly branch: string;
  /** The config file relative to the repository root, e.g. `berth.config.ts` or `app/berth.config.ts`. */
  readonly configPath: string;
}

/** The Node.js line the jobs run berth on. */
const NODE_VERSION = '22';
/**
 * GitHub's own Ubuntu runner images (they have podman, skopeo and pipx, which the builds and checks
 * need), of the CPU the images are built for: arm64 images build natively on the arm64 runner. A
 * config with both architectures runs on x86_64 and emulates arm64 with qemu.
 */
function runnerFor(architectures: readonly string[]): { runner: string; emulate: boolean } {
  if (architectures.length > 0 && architectures.every((a) => a === 'arm64'))
    return { runner: 'ubuntu-24.04-arm', emulate: false };
  return { runner: 'ubuntu-24.04', emulate: architectures.includes('arm64') };
}

/**
 * `.github/workflows/berth.yml`: on a pull request, `berth check` (compliance, then the built
 * images) and `berth diff` against the first non-production stage with the cost change, both in
 * the job summary; on a push to the deploy branch, one job per stage in order, the first building
 * and pushing the images once and every later one deploying the same digests (`--images-from`),
 * production last and in its GitHub environment (where required reviewers hold it). Written as
 * text, not through a YAML library, so that the comments that explain it survive.
 */
export function githubWorkflow(plan: CiPlan, options: WorkflowOptions): string {
  const { dir, configFlag } = configLocation(options.configPath);
  const berth = (args: string) => `npx berth ${args}${configFlag}`;
  // The installed bin itself, for a step that must pass it a signal: npx puts npm and a shell
  // between, and the shell keeps the signal.
  const berthBin = (args: string) => `"$(npm root)/.bin/berth" ${args}${configFlag}`;
  const { runner, emulate } = runnerFor(options.architectures);
  const env: JobEnv = { berth, berthBin, runner, emulate };
  const production = plan.deploys.filter((d) => d.stage.production).map((d) => d.stage.name);
  const lines = [
    `# berth: continuous delivery of ${plan.app}, written by \`berth ci init --provider github\`.`,
    '# Write it again (berth ci init --provider github --force) after changing the stages in the config.',
    '#',
    '# No AWS keys are stored anywhere: each job that touches AWS gets short-lived credentials through',
    "# GitHub's OpenID Connect token, for a role that `berth ci bootstrap --provider github` created and",
    "# that trusts only this repository (and, for a deploy role, only its stage's GitHub environment).",
    "# The role ARNs below are derived from each stage's account and a fixed role name: no secrets.",
    ...(production.length > 0
      ? [
          '#',
          `# Production (${production.join(', ')}) deploys in the GitHub environment of the same name. Add`,
          '# required reviewers to it in the repository settings (Settings > Environments > NAME >',
          '# Required reviewers): the deploy then waits for a person to approve it.',
        ]
      : []),
    'name: berth',
    '',
    'on:',
    '  pull_request:',
    '  push:',
    `    branches: [${options.branch}]`,
    '',
    '# Nothing by default; each job asks for what it needs.',
    'permissions: {}',
    '',
    'defaults:',
    '  run:',
    '    shell: bash',
    ...(dir === '.' ? [] : [`    working-directory: ${dir}`]),
    '',
    'jobs:',
    ...checkJob(plan, env),
    '',
    ...diffJob(plan, env),
    ...plan.deploys.flatMap((d) => ['', ...deployJob(d, env)]),
  ];
  return `${lines.join('\n')}\n`;
}

function configLocation(configPath: string): { dir: string; configFlag: string } {
  const slash = configPath.lastIndexOf('/');
  const dir = slash < 0 ? '.' : configPath.slice(0, slash);
  const file = slash < 0 ? configPath : configPath.slice(slash + 1);
  return { dir, configFlag: file === 'berth.config.ts' ? '' : ` --config ${file}` };
}

interface JobEnv {
  readonly berth: (args: string) => string;
  readonly berthBin: (args: string) => string;
  readonly runner: string;
  /** Register qemu for arm64 builds on the x86_64 runner. */
  readonly emulate: boolean;
}

/** Checkout without keeping the token, Node.js, the project's own berth (npm ci). */
function setupSteps(): string[] {
  return [
    `      - uses: ${uses(ACTIONS.checkout)}`,
    '        with:',
    '          persist-credentials: false',
    // The whole history: an image's tag is the last commit that changed its sources, so an
    // unchanged service keeps its tag and digest (src/aws/images/publish.ts); a shallow clone
    // would tag every image with HEAD and roll every service.
    '          fetch-depth: 0',
    `      - uses: ${uses(ACTIONS.setupNode)}`,
    '        with:',
    `          node-version: ${NODE_VERSION}`,
    '      - run: npm ci',
  ];
}

/**
 * A step that runs berth, prints its output, adds it to the job summary, and fails with it. The
 * output goes to the runner's temporary folder, not the work tree: a new file there would make a
 * service whose build context is the repository root count as changed (a `-dirty` image tag).
 */
function summaryStep(name: string, command: string, options: { forwardCancel?: boolean } = {}): string[] {
  return [
    `      - name: ${name}`,
    '        run: |',
    '          set +e',
    ...(options.forwardCancel
      ? [
          // A cancelled run signals this shell, which does not pass the signal to a command it
          // waits for. berth (its installed bin, see berthBin) runs in the background and gets it
          // as Ctrl-C: berth deploy then cancels the stack update it started. `wait` returns at the signal
          // (status over 128), so wait again for the rollback.
          `          ${command} > "$RUNNER_TEMP/berth-output.txt" 2>&1 &`,
          '          berth=$!',
          `          trap 'kill -INT "$berth"' INT TERM`,
          '          wait "$berth"',
          '          status=$?',
          '          while [ "$status" -gt 128 ] && kill -0 "$berth" 2>/dev/null; do wait "$berth"; status=$?; done',
        ]
      : [`          ${command} > "$RUNNER_TEMP/berth-output.txt" 2>&1`, '          status=$?']),
    '          cat "$RUNNER_TEMP/berth-output.txt"',
    `          { echo '### ${name}'; echo '\`\`\`'; cat "$RUNNER_TEMP/berth-output.txt"; echo '\`\`\`'; } >> "$GITHUB_STEP_SUMMARY"`,
    '          exit "$status"',
  ];
}

/** A pull request from a branch of this repository, not a fork's. */
const FROM_THIS_REPOSITORY = 'github.event.pull_request.head.repo.full_name == github.repository';

function credentialsStep(role: CiRole, condition?: string): string[] {
  return [
    `      - uses: ${uses(ACTIONS.awsCredentials)}`,
    ...(condition ? [`        if: ${condition}`] : []),
    '        with:',
    `          role-to-assume: ${role.arn}`,
    `          aws-region: ${role.region}`,
    `          allowed-account-ids: "${role.account}"`,
    '          role-duration-seconds: 3600',
  ];
}

/** Ubuntu's qemu-user-static registers itself with binfmt_misc (F flag), so podman builds run arm64 steps. */
function emulationStep(env: JobEnv): string[] {
  return env.emulate
    ? ['      - run: sudo apt-get update -qq && sudo apt-get install -y -qq qemu-user-static']
    : [];
}

function checkJob(plan: CiPlan, env: JobEnv): string[] {
  const { berth } = env;
  return [
    '  check:',
    '    name: berth check',
    "    if: github.event_name == 'pull_request'",
    `    runs-on: ${env.runner}`,
    '    permissions:',
    '      contents: read',
    ...(plan.privateBases ? ['      id-token: write'] : []),
    '    steps:',
    ...setupSteps(),
    '      - run: pipx install cfn-lint',
    ...emulationStep(env),
    ...(plan.privateBases
      ? [
          "      # The bases are berth mirror's copies in ECR: the read-only role may pull them. A fork's",
          '      # pull request gets no OpenID Connect token, so it builds only from public bases.',
          ...credentialsStep(plan.pullRequestRole, FROM_THIS_REPOSITORY),
        ]
      : []),
    ...summaryStep('berth check', berth('check')),
    ...summaryStep('berth build', berth('build')),
    ...summaryStep('berth check --images', berth('check --images')),
  ];
}

function diffJob(plan: CiPlan, env: JobEnv): string[] {
  const { berth } = env;
  return [
    '  diff:',
    `    name: berth diff --stage ${plan.diffStage.name}`,
    "    # A fork's pull request gets no OpenID Connect token: only branches of this repository are diffed.",
    `    if: github.event_name == 'pull_request' && ${FROM_THIS_REPOSITORY}`,
    `    runs-on: ${env.runner}`,
    '    permissions:',
    '      contents: read',
    '      id-token: write',
    '    steps:',
    ...setupSteps(),
    '      # Read-only role: it reads the deployed templates and images, and can change nothing.',
    ...credentialsStep(plan.pullRequestRole),
    // The template method compares with the deployed template through the read-only role; a change
    // set would need CDK's deploy role, which can change the stack.
    ...summaryStep(
      `berth diff --stage ${plan.diffStage.name}`,
      berth(`diff --stage ${plan.diffStage.name} --method template`),
    ),
  ];
}

function deployJob(d: StageDeploy, env: JobEnv): string[] {
  const { berthBin } = env;
  const name = d.stage.name;
  const what = d.imagesFrom
    ? `# The digests stage ${d.imagesFrom} runs, promoted: nothing is built or pushed again.`
    : '# Builds and pushes each image once; every later stage deploys these digests.';
  return [
    `  deploy-${name}:`,
    `    name: berth deploy --stage ${name}`,
    `    if: github.event_name == 'push'`,
    ...(d.after.length > 0 ? [`    needs: [${d.after.map((s) => `deploy-${s}`).join(', ')}]`] : []),
    `    runs-on: ${env.runner}`,
    ...(d.stage.production
      ? ['    # Required reviewers on this environment (repository settings) hold the deploy until approved.']
      : []),
    `    environment: ${name}`,
    '    # One deploy of a stage at a time: a newer push waits for the one under way (never cancels it).',
    '    concurrency:',
    `      group: berth-deploy-${name}`,
    '      cancel-in-progress: false',
    '    permissions:',
    '      contents: read',
    '      id-token: write',
    '    steps:',
    ...setupSteps(),
    '      - run: pipx install cfn-lint',
    ...(d.imagesFrom ? [] : emulationStep(env)),
    ...credentialsStep(d.role),
    `      ${what}`,
    '      # berth deploy checks, gates on image scans, deploys, waits for ECS and verifies from outside.',
    ...summaryStep(
      `berth deploy --stage ${name}`,
      berthBin(`deploy --stage ${name}${d.imagesFrom ? ` --images-from ${d.imagesFrom}` : ''}`),
      { forwardCancel: true },
    ),
  ];
}
