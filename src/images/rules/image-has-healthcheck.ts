import path from 'node:path';
import { envValue, type ImageModel } from '../model.ts';
import { compliant, type ImageRule, type Problem, type RuleOutcome } from './rule.ts';

/**
 * The image declares a HEALTHCHECK that runs without a shell, and the command it names exists.
 * (Podman keeps HEALTHCHECK only in the Docker image format: build with --format docker.)
 */
export const ImageHasHealthcheck: ImageRule = {
  id: 'ImageHasHealthcheck',
  level: 'error',
  description: 'The image has an exec-form HEALTHCHECK whose program is in the image.',
  fix: 'Add `HEALTHCHECK CMD ["node", "dist/healthcheck.js"]` (exec form, the app\'s own check); with podman build use --format docker.',
  evaluate: (image) => check(image),
};

function check(image: ImageModel): RuleOutcome {
  const test = image.config.healthcheck?.test ?? [];
  const fail = (problems: Problem[]): RuleOutcome => ({ status: 'non-compliant', problems });
  if (test.length === 0 || test[0] === 'NONE')
    return fail([
      { message: 'no HEALTHCHECK (podman drops it unless the image is built with --format docker)' },
    ]);
  if (test[0] === 'CMD-SHELL')
    return fail([
      {
        message: `HEALTHCHECK ${test.slice(1).join(' ')} runs through /bin/sh; use the exec form CMD ["prog", "arg"]`,
      },
    ]);
  const [program, first] = test.slice(1);
  if (!program) return fail([{ message: 'HEALTHCHECK CMD names no program' }]);
  const problems: Problem[] = [];
  const resolved = resolveProgram(image, program);
  if (!resolved)
    problems.push({
      path: program,
      message: `HEALTHCHECK program ${program} is not in the image (PATH=${envValue(image, 'PATH') ?? ''})`,
    });
  // `node dist/healthcheck.js`: the script must be in the image too.
  if (first && /\.(c|m)?js$/.test(first)) {
    const script = path.posix.resolve(image.config.workingDir, first);
    if (!image.files.has(script))
      problems.push({ path: script, message: `HEALTHCHECK script ${script} is not in the image` });
  }
  return problems.length === 0 ? compliant : fail(problems);
}

/** Where `program` is found, following PATH for bare names and one level of symlinks. */
function resolveProgram(image: ImageModel, program: string): string | undefined {
  const candidates = program.includes('/')
    ? [path.posix.resolve(image.config.workingDir, program)]
    : (envValue(image, 'PATH') ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
        .split(':')
        .filter(Boolean)
        .map((dir) => path.posix.join(dir, program));
  for (const candidate of candidates) {
    const file = image.files.get(candidate);
    if (!file) continue;
    if (file.type !== 'symlink') return candidate;
    const target = path.posix.resolve(path.posix.dirname(candidate), file.linkTarget ?? '');
    if (image.files.has(target)) return target;
  }
  return undefined;
}
