import { outcomeOf, type ImageRule } from './rule.ts';

/** /tmp may be world-writable when sticky: the one place the read-only root filesystem leaves open. */
const STICKY_ALLOWED = new Set(['/tmp']);

/** A world-writable path lets any user plant code or data that the app later trusts. */
export const ImageNoWorldWritable: ImageRule = {
  id: 'ImageNoWorldWritable',
  level: 'error',
  description: 'Nothing outside /tmp (sticky) is world-writable.',
  fix: 'Copy the app with --chown=0:0 and modes like u=rwX,go=rX; keep writable state in /tmp or a volume.',
  evaluate: (image) =>
    outcomeOf(
      [...image.files.values()]
        .filter(
          (f) =>
            f.type !== 'symlink' &&
            (f.mode & 0o002) !== 0 &&
            !(f.type === 'directory' && STICKY_ALLOWED.has(f.path) && (f.mode & 0o1000) !== 0),
        )
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((f) => ({
          path: f.path,
          message: `world-writable ${f.type} ${f.path} (mode ${f.mode.toString(8).padStart(4, '0')})`,
        })),
    ),
};
