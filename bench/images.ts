import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { checkImages, megabytes } from '../src/images/index.ts';
import { hasCommand, type BenchModule, type BenchOutcome, type Figure } from './figures.ts';

const CONFIG = path.resolve(import.meta.dirname, '../examples/cruddur/berth.config.ts');

export interface ImagesBenchResult {
  /** Why nothing was measured, when nothing was. */
  readonly skipped?: string;
  readonly images: readonly {
    service: string;
    ref: string;
    created?: string;
    compressedBytes: number;
    uncompressedBytes: number;
    budgetBytes?: number;
  }[];
}

/**
 * The images `berth build` left in podman's store, read as `berth check --images` reads them: sizes
 * against the config's budgets. It does not build them (that takes minutes and the local bases):
 * `berth build --config examples/cruddur/berth.config.ts` first; the table says when each was built.
 */
export async function benchImages(): Promise<ImagesBenchResult> {
  if (!hasCommand('podman')) return { skipped: 'podman is not installed', images: [] };
  const config = await loadConfig(CONFIG);
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-images-'));
  try {
    const result = await checkImages(config, { engine: 'podman', outDir });
    return {
      images: result.images.map((i) => ({
        service: i.service,
        ref: i.ref,
        created: created(i.ref),
        compressedBytes: i.compressedBytes,
        uncompressedBytes: i.uncompressedBytes,
        ...(i.budgetBytes !== undefined ? { budgetBytes: i.budgetBytes } : {}),
      })),
    };
  } catch (error) {
    return {
      skipped: `images not readable (${(error as Error).message.split('\n')[0]}); run berth build first`,
      images: [],
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function created(ref: string): string | undefined {
  try {
    return execFileSync('podman', ['image', 'inspect', '--format', '{{.Created}}', ref], { encoding: 'utf8' })
      .trim()
      .slice(0, 16);
  } catch {
    return undefined;
  }
}

export function imagesFigures(r: ImagesBenchResult): Figure[] {
  if (r.skipped) return [{ figure: 'image sizes', result: `not measured: ${r.skipped}` }];
  return r.images.map((i) => ({
    figure: `${i.service} image, compressed (uncompressed)${i.created ? `, built ${i.created}` : ''}`,
    result: `${megabytes(i.compressedBytes)} MB (${megabytes(i.uncompressedBytes)} MB)`,
    ...(i.budgetBytes !== undefined
      ? {
          reference: `budget ${megabytes(i.budgetBytes)} MB (image.maxSizeMB)`,
          ratio: i.compressedBytes / i.budgetBytes,
          goal: 'within the budget',
          met: i.compressedBytes <= i.budgetBytes,
        }
      : {}),
  }));
}

export const imagesBench: BenchModule = {
  name: 'images',
  title: 'image sizes against their budgets (podman store)...',
  async run(): Promise<BenchOutcome<ImagesBenchResult>> {
    const result = await benchImages();
    return { result, figures: imagesFigures(result) };
  },
};
