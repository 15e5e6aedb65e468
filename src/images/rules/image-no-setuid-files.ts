import { outcomeOf, type ImageRule } from './rule.ts';

/** setuid/setgid binaries are how a non-root process becomes root. */
export const ImageNoSetuidFiles: ImageRule = {
  id: 'ImageNoSetuidFiles',
  level: 'error',
  description: 'No file in the image has the setuid or setgid bit.',
  fix: 'Remove the file from the final stage, or clear the bit in the build stage (chmod u-s,g-s).',
  evaluate: (image) =>
    outcomeOf(
      [...image.files.values()]
        .filter((f) => f.type !== 'directory' && f.type !== 'symlink' && (f.mode & 0o6000) !== 0)
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((f) => ({
          path: f.path,
          message: `${[(f.mode & 0o4000) !== 0 ? 'setuid' : '', (f.mode & 0o2000) !== 0 ? 'setgid' : ''].filter(Boolean).join('+')} ${f.path} (mode ${f.mode.toString(8).padStart(4, '0')})`,
        })),
    ),
};
