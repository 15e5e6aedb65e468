/**
 * The actions the generated workflow uses, pinned by full commit SHA (a tag can be moved; a commit
 * cannot), with the release the commit is. Each SHA is the commit that release's tag points to
 * (`git rev-parse <tag>^{commit}` in a clone of the action's repository); docs/stages-and-ci.md
 * says how to check or update them.
 */
export interface PinnedAction {
  readonly repo: string;
  readonly sha: string;
  readonly version: string;
}

export const ACTIONS = {
  checkout: { repo: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  setupNode: {
    repo: 'actions/setup-node',
    sha: '820762786026740c76f36085b0efc47a31fe5020',
    version: 'v7.0.0',
  },
  awsCredentials: {
    repo: 'aws-actions/configure-aws-credentials',
    sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c',
    version: 'v6.2.3',
  },
} as const satisfies Record<string, PinnedAction>;

/** `owner/repo@<sha> # <version>`, as a `uses:` line takes it. */
export function uses(action: PinnedAction): string {
  return `${action.repo}@${action.sha} # ${action.version}`;
}
