import { describe, filesNamed, outcomeOf, type ImageRule } from './rule.ts';

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'busybox']);

/** A shell turns any code execution bug into a full foothold; the runtime image needs none. */
export const ImageNoShell: ImageRule = {
  id: 'ImageNoShell',
  level: 'error',
  description: 'The image contains no shell (sh, bash, ash, dash, busybox, ...).',
  fix: 'Start the final stage FROM a distroless runtime and copy only the app into it; use exec-form CMD and HEALTHCHECK.',
  evaluate: (image) =>
    outcomeOf(
      filesNamed(image, SHELLS).map((f) => ({ path: f.path, message: `shell ${f.path} (${describe(f)})` })),
    ),
};
