import { ImageArchitectureMatches } from './image-architecture-matches.ts';
import { ImageBasePinned } from './image-base-pinned.ts';
import { ImageExposesPort } from './image-exposes-port.ts';
import { ImageHasHealthcheck } from './image-has-healthcheck.ts';
import { ImageNoCompiler } from './image-no-compiler.ts';
import { ImageNoDownloadTool } from './image-no-download-tool.ts';
import { ImageNoPackageManager } from './image-no-package-manager.ts';
import { ImageNoSetuidFiles } from './image-no-setuid-files.ts';
import { ImageNoShell } from './image-no-shell.ts';
import { ImageNoWorldWritable } from './image-no-world-writable.ts';
import { ImageNonRootUser } from './image-non-root-user.ts';
import { ImageRuntimeSupported } from './image-runtime-supported.ts';
import { ImageSizeBudget } from './image-size-budget.ts';
import type { ImageRule } from './rule.ts';

/** Every rule `berth check --images` runs on a runtime image, in report order. */
export const IMAGE_RULES: readonly ImageRule[] = [
  ImageNoShell,
  ImageNoPackageManager,
  ImageNoDownloadTool,
  ImageNoCompiler,
  ImageNoSetuidFiles,
  ImageNoWorldWritable,
  ImageNonRootUser,
  ImageHasHealthcheck,
  ImageBasePinned,
  ImageExposesPort,
  ImageArchitectureMatches,
  ImageRuntimeSupported,
  ImageSizeBudget,
];

export {
  ImageArchitectureMatches,
  ImageBasePinned,
  ImageExposesPort,
  ImageHasHealthcheck,
  ImageNoCompiler,
  ImageNoDownloadTool,
  ImageNoPackageManager,
  ImageNoSetuidFiles,
  ImageNoShell,
  ImageNoWorldWritable,
  ImageNonRootUser,
  ImageRuntimeSupported,
  ImageSizeBudget,
};
export { megabytes } from './image-size-budget.ts';
export type { ImageRule, Problem, RuleContext, RuleOutcome } from './rule.ts';
