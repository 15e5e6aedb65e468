// Container images: build, mirror bases, inspect. Typed core functions; none of them prints.
export {
  makeLocalBaseImages,
  makeLocalNginxBaseImages,
  type BaseImages,
  type LocalBaseImagesOptions,
  type NginxBaseImages,
} from './base-images.ts';
export {
  basesFor,
  BUILD_ENGINES,
  buildImages,
  checkBaseImageServices,
  DEFAULT_BUILD_ENGINE,
  DEFAULT_IMAGE_TAG,
  localImageRef,
  type BaseImageChoice,
  type BuildEngine,
  type BuildImagesOptions,
  type BuiltImage,
  type ServiceBaseImages,
} from './build.ts';
export {
  checkImages,
  evaluateImage,
  imageTargets,
  type CheckImagesOptions,
  type CheckImagesResult,
  type ImageReport,
  type ImageTarget,
  type RuleResult,
} from './check-images.ts';
export { ToolFailedError, ToolMissingError } from './errors.ts';
export {
  IMAGE_EVENT_CODES,
  quiet,
  type ImageEvent,
  type ImageEventCode,
  type ImageNotify,
} from './events.ts';
export { startLocalRegistry, type LocalRegistry } from './local-registry.ts';
export { mirrorImage, mirrorTag, type MirrorOptions, type MirrorResult } from './mirror.ts';
export {
  ecrCredentials,
  ecrRegistryOf,
  writeAuthFile,
  type EcrCredentialsSource,
  type RegistryCredentials,
} from './registry-auth.ts';
export {
  compressedSize,
  uncompressedSize,
  type ImageConfig,
  type ImageFile,
  type ImageModel,
} from './model.ts';
export { readImage, type ImageStore } from './read-image.ts';
export { IMAGE_RULES, megabytes, type ImageRule } from './rules/index.ts';
export { cycloneDx, type CycloneDxBom } from './sbom.ts';
