import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import { STATE_DIR_NAME } from '../config/config-file.ts';
import { DEFAULT_BUILD_ENGINE, localImageRef, type BuildEngine } from './build.ts';
import { quiet, type ImageNotify } from './events.ts';
import { compressedSize, platformName, uncompressedSize, type ImageModel } from './model.ts';
import { readImage, type ImageStore } from './read-image.ts';
import { IMAGE_RULES, type ImageRule, type Problem, type RuleContext } from './rules/index.ts';
import { platformOf, type Platform } from './platform.ts';
import { cycloneDx, sbomPath } from './sbom.ts';

/** One image to check: where it is, and what the config says about its service. */
export interface ImageTarget {
  readonly service: string;
  readonly ref: string;
  readonly store: ImageStore;
  /** Which image of an index to read (the one a task of this platform would pull). */
  readonly platform?: Platform;
  readonly context?: RuleContext;
}

export interface CheckImagesOptions {
  /** Where the built images are. @default 'podman' */
  readonly engine?: BuildEngine;
  /** Tag `berth build` gave the images. @default 'latest' */
  readonly tag?: string;
  /**
   * The platforms `berth build --platform` built: each service's image of each is checked
   * (`<tag>-<arch>` when several) against the platform it was built for. @default each service's
   * `architecture`, read from `<tag>`
   */
  readonly platforms?: readonly Platform[];
  /** Check these instead of the config's services. */
  readonly targets?: readonly ImageTarget[];
  /** Where SBOMs go. @default `<config dir>/.berth/images` */
  readonly outDir?: string;
  readonly rules?: readonly ImageRule[];
  readonly notify?: ImageNotify;
}

export interface RuleResult {
  readonly rule: string;
  readonly level: 'error' | 'warning';
  readonly description: string;
  readonly fix: string;
  readonly status: 'compliant' | 'non-compliant' | 'not-applicable' | 'error';
  readonly problems: readonly Problem[];
}

export interface ImageReport {
  readonly service: string;
  readonly ref: string;
  /** What the image's config says it runs on, e.g. `linux/arm64`. */
  readonly platform: string;
  /** Image id (config digest); the SBOM is named after it. */
  readonly id: string;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly budgetBytes?: number;
  readonly sbomFile: string;
  /** Components in the SBOM, by type. */
  readonly sbomComponents: Readonly<Record<string, number>>;
  readonly results: readonly RuleResult[];
  /** No error-level rule failed or threw. */
  readonly passed: boolean;
}

export interface CheckImagesResult {
  readonly images: readonly ImageReport[];
  readonly passed: boolean;
}

/** The images `berth check --images` looks at for a config: each built service's local image, each `image.ref` in its registry. */
export function imageTargets(
  config: ResolvedConfig,
  options: { engine?: BuildEngine; tag?: string; platforms?: readonly Platform[] } = {},
): ImageTarget[] {
  const platforms = options.platforms;
  if (platforms && platforms.length > 0)
    return config.services.flatMap((service) =>
      platforms.map((platform) => {
        const [target] = serviceTargets(config, service, options);
        const own = service.image.kind === 'build';
        return {
          ...target!,
          // Each platform's own image of the index, checked against that platform.
          ...(own && platforms.length > 1
            ? { ref: localImageRef(config, service, options.tag, platform) }
            : {}),
          platform,
          context: { ...target!.context, architecture: platform === 'linux/amd64' ? 'x86_64' : 'arm64' },
        } satisfies ImageTarget;
      }),
    );
  return config.services.flatMap((service) => serviceTargets(config, service, options));
}

function serviceTargets(
  config: ResolvedConfig,
  service: ResolvedConfig['services'][number],
  options: { engine?: BuildEngine; tag?: string },
): ImageTarget[] {
  {
    const context: RuleContext = {
      service: service.id,
      port: service.port,
      architecture: service.architecture,
      ...(service.image.kind === 'build' && service.image.maxSizeMB !== undefined
        ? { budgetBytes: Math.round(service.image.maxSizeMB * 1e6) }
        : {}),
    };
    const platform = platformOf(service.architecture);
    return [
      service.image.kind === 'build'
        ? {
            service: service.id,
            ref: localImageRef(config, service, options.tag),
            store: options.engine ?? DEFAULT_BUILD_ENGINE,
            platform,
            context,
          }
        : { service: service.id, ref: service.image.ref, store: 'registry', platform, context },
    ];
  }
}

/**
 * Reads every image, runs the rules on it, writes its CycloneDX SBOM next to its id
 * (`.berth/images/<service>/<id>.cdx.json`) and reports sizes against the budgets. Prints nothing.
 */
export async function checkImages(
  config: ResolvedConfig,
  options: CheckImagesOptions = {},
): Promise<CheckImagesResult> {
  const notify = options.notify ?? quiet;
  const targets = options.targets ?? imageTargets(config, options);
  const outDir = options.outDir ?? path.join(config.baseDir, STATE_DIR_NAME, 'images');
  const images: ImageReport[] = [];
  for (const target of targets) {
    notify({
      level: 'info',
      code: 'check.read',
      message: `reading ${target.ref}`,
      data: { service: target.service },
    });
    const image = await readImage({
      store: target.store,
      ref: target.ref,
      name: target.service,
      ...(target.platform ? { platform: target.platform } : {}),
    });
    const results = evaluateImage(image, target.context ?? {}, options.rules);
    const sbomFile = sbomPath(outDir, target.service, image.id);
    const bom = cycloneDx(image, { toolVersion: berthVersion() });
    mkdirSync(path.dirname(sbomFile), { recursive: true });
    writeFileSync(sbomFile, `${JSON.stringify(bom, null, 2)}\n`);
    notify({
      level: 'info',
      code: 'check.sbom',
      message: `wrote ${sbomFile}`,
      data: { service: target.service, sbomFile },
    });
    const sbomComponents: Record<string, number> = {};
    for (const c of bom.components) sbomComponents[c.type] = (sbomComponents[c.type] ?? 0) + 1;
    images.push({
      service: target.service,
      ref: target.ref,
      platform: platformName(image),
      id: image.id,
      compressedBytes: compressedSize(image),
      uncompressedBytes: uncompressedSize(image),
      ...(target.context?.budgetBytes !== undefined ? { budgetBytes: target.context.budgetBytes } : {}),
      sbomFile,
      sbomComponents,
      results,
      passed: results.every(
        (r) => r.level !== 'error' || r.status === 'compliant' || r.status === 'not-applicable',
      ),
    });
  }
  return { images, passed: images.every((i) => i.passed) };
}

/** Runs each rule on one image. A rule that throws is reported as an error, never skipped. */
export function evaluateImage(
  image: ImageModel,
  context: RuleContext,
  rules: readonly ImageRule[] = IMAGE_RULES,
): RuleResult[] {
  return rules.map((rule) => {
    const base = { rule: rule.id, level: rule.level, description: rule.description, fix: rule.fix };
    try {
      const outcome = rule.evaluate(image, context);
      if (outcome.status === 'non-compliant')
        return { ...base, status: outcome.status, problems: outcome.problems };
      if (outcome.status === 'not-applicable')
        return { ...base, status: outcome.status, problems: [{ message: outcome.reason }] };
      return { ...base, status: outcome.status, problems: [] };
    } catch (error) {
      return {
        ...base,
        level: 'error',
        status: 'error',
        problems: [{ message: `the rule threw: ${error instanceof Error ? error.message : String(error)}` }],
      };
    }
  });
}

let version: string | undefined;
function berthVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return version;
}
