export { ACTIONS, type PinnedAction } from './actions.ts';
export {
  CiAccessStack,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  type CiAccessStackProps,
} from './access-stack.ts';
export { synthCiAccess, type CiAccessAssembly } from './access-synth.ts';
export {
  ciBootstrap,
  type CiBootstrapOptions,
  type CiBootstrapResult,
  type CiRoleResult,
} from './bootstrap.ts';
export { githubWorkflow, type WorkflowOptions } from './github-workflow.ts';
export { ciInit, type CiInitOptions, type CiInitResult, type CiProvider } from './init.ts';
export { ciPlan, deployRoleName, diffRoleName, type CiPlan, type CiRole, type StageDeploy } from './plan.ts';
export { shellScript, type ScriptOptions } from './shell-script.ts';
