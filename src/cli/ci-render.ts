import path from 'node:path';
import type { CiBootstrapResult, CiInitResult } from '../ci/index.ts';

/** What `berth ci init` wrote, what it runs, and what the user does next. */
export function renderCiInit(result: CiInitResult, cwd = process.cwd()): string {
  const file = path.relative(cwd, result.path) || result.path;
  const verb = { created: 'Wrote', updated: 'Replaced', unchanged: 'Unchanged:' }[result.change];
  const { plan } = result;
  const deploys = plan.deploys.map(
    (d) =>
      `${d.stage.name}${d.imagesFrom ? ` (the digests ${d.imagesFrom} runs)` : ' (builds and pushes the images once)'}`,
  );
  const production = plan.deploys.filter((d) => d.stage.production).map((d) => d.stage.name);
  const lines = [`${verb} ${file}`];
  if (result.provider === 'github') {
    lines.push(
      `  pull requests: berth check, berth diff --stage ${plan.diffStage.name} (with the cost change), in the job summary`,
      `  pushes to ${result.branch}: deploy ${deploys.join(', then ')}`,
      '',
      'Next:',
      `  1. berth ci bootstrap --provider github --repo OWNER/NAME   (the OIDC provider and the roles; no AWS keys in GitHub)`,
      ...(production.length > 0
        ? [
            `  2. in GitHub, Settings > Environments > ${production.join(', ')}: add required reviewers, so production waits for approval`,
          ]
        : []),
    );
  } else {
    lines.push(
      `  sh ${file} pull-request: berth check, berth diff --stage ${plan.diffStage.name}`,
      `  sh ${file} deploy [STAGE]: deploy ${deploys.join(', then ')}`,
      "  AWS credentials come from the environment (your CI's OpenID Connect role); none are in the script.",
    );
  }
  return lines.join('\n');
}

export function renderCiBootstrap(result: CiBootstrapResult): string {
  const change = result.stack.change === 'unchanged' ? 'unchanged, nothing created' : result.stack.change;
  return [
    `${result.stack.name} in account ${result.account} (${result.region}): ${change}`,
    `  OIDC provider: ${result.provider.arn}${result.provider.source === 'existing' ? ' (already in the account, reused)' : ''}`,
    ...result.roles.map((r) => `  ${r.arn}  accepts only sub = ${r.subject}`),
  ].join('\n');
}
