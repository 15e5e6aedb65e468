import { describe, filesNamed, outcomeOf, type ImageRule } from './rule.ts';

const DOWNLOADERS = new Set(['curl', 'wget']);

/** curl and wget fetch an attacker's second stage; health checks use the app's own command instead. */
export const ImageNoDownloadTool: ImageRule = {
  id: 'ImageNoDownloadTool',
  level: 'error',
  description: 'The image contains neither curl nor wget.',
  fix: 'Health-check with the app itself (e.g. HEALTHCHECK CMD ["node", "dist/healthcheck.js"]) and drop curl/wget.',
  evaluate: (image) =>
    outcomeOf(
      filesNamed(image, DOWNLOADERS).map((f) => ({
        path: f.path,
        message: `download tool ${f.path} (${describe(f)})`,
      })),
    ),
};
