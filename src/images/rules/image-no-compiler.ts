import { describe, outcomeOf, type ImageRule } from './rule.ts';

const COMPILER =
  /^((x86_64|aarch64|arm)-linux-gnu(eabihf)?-)?(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|tcc)(-\d+)?$/;

/** A compiler lets an intruder build tools inside the container; builds belong in the build stage. */
export const ImageNoCompiler: ImageRule = {
  id: 'ImageNoCompiler',
  level: 'error',
  description: 'The image contains no C/C++ compiler.',
  fix: 'Compile native modules in the build stage and copy only their output into the final stage.',
  evaluate: (image) => {
    const found = [...image.files.values()].filter(
      (f) => f.type !== 'directory' && COMPILER.test(f.path.slice(f.path.lastIndexOf('/') + 1)),
    );
    return outcomeOf(
      found
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((f) => ({ path: f.path, message: `compiler ${f.path} (${describe(f)})` })),
    );
  },
};
