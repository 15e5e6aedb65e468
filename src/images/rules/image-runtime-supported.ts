import { compliant, type ImageRule, type Problem, type RuleOutcome } from './rule.ts';
import type { ImageModel } from '../model.ts';
import { NODEJS_RELEASE_LINES, nodeReleaseLine, pastEndOfLife } from '../runtime-lines.ts';

/**
 * The image's language runtime still gets security fixes: a Node.js line past its end of life
 * gets none, so a CVE in it stays open for good. The lines and their dates are a table kept as
 * data (src/images/data/nodejs-release-lines.json); the version is read from the binary itself.
 */
export const ImageRuntimeSupported: ImageRule = {
  id: 'ImageRuntimeSupported',
  level: 'error',
  description: "The image's Node.js is on a release line that has not reached its end of life.",
  fix: 'Build FROM a runtime base of a supported LTS line (Node.js 24 or 22: BASE_IMAGE, docs/images.md), and mirror it again.',
  evaluate: (image, context) => check(image, context.now ?? new Date()),
};

function check(image: ImageModel, now: Date): RuleOutcome {
  const nodes = [...image.files.values()].filter((f) => f.type === 'file' && f.nodeVersion);
  if (nodes.length === 0) return { status: 'not-applicable', reason: 'no Node.js binary in the image' };
  const problems: Problem[] = [];
  const today = now.toISOString().slice(0, 10);
  for (const node of nodes) {
    const version = node.nodeVersion!;
    const line = nodeReleaseLine(version);
    if (!line) {
      const known = NODEJS_RELEASE_LINES.map((l) => l.line);
      problems.push({
        path: node.path,
        message: `Node.js ${version} is on a line the table does not know (it knows ${Math.min(...known)}-${Math.max(...known)}); add it to src/images/data/nodejs-release-lines.json`,
      });
    } else if (pastEndOfLife(line, now))
      problems.push({
        path: node.path,
        message: `Node.js ${version}: line ${line.line} reached its end of life on ${line.endOfLife} (today is ${today}) and gets no security fixes`,
      });
  }
  return problems.length === 0 ? compliant : { status: 'non-compliant', problems };
}
