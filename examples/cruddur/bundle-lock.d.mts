/** A package-lock.json (v3) naming the npm packages whose files `inputs` are (bundle-lock.mjs). */
export function bundleLock(workspace: string, inputs: Iterable<string>): Record<string, unknown>;
