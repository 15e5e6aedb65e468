import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { diagram, localDiagram, renderPng, renderSvg, toDot } from '../src/diagram/index.ts';

export interface DiagramBench {
  /** `berth diagram` of the reference config in this process, CDK already loaded: synth, read, layout. */
  readonly medianMs: number;
  readonly runsMs: readonly number[];
  /** The Graphviz layout alone (DOT -> SVG, WASM already loaded). */
  readonly layoutMedianMs: number;
  /** The first run, which also loads aws-cdk-lib and the WASM module. */
  readonly firstMs: number;
  /** SVG -> PNG with resvg (`--format png` adds this to a run), the native module already loaded. */
  readonly pngMedianMs: number;
  /** `berth diagram --local` of the reference config, SVG: no synth, the run's plan only. */
  readonly localMedianMs: number;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Draws the reference deployment `runs` times after one cold run. */
export async function benchDiagram(runs = 3): Promise<DiagramBench> {
  const config = await loadConfig(path.resolve(import.meta.dirname, '../examples/cruddur/berth.config.ts'));
  let start = performance.now();
  const first = await diagram(config, 'svg');
  const firstMs = performance.now() - start;
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    start = performance.now();
    await diagram(config, 'svg');
    runsMs.push(performance.now() - start);
  }
  const dot = toDot(first.topology);
  const layoutMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    start = performance.now();
    await renderSvg(dot);
    layoutMs.push(performance.now() - start);
  }
  await renderPng(first.text);
  const pngMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    start = performance.now();
    await renderPng(first.text);
    pngMs.push(performance.now() - start);
  }
  const localMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    start = performance.now();
    await localDiagram(config, 'svg');
    localMs.push(performance.now() - start);
  }
  return {
    medianMs: median(runsMs),
    runsMs,
    layoutMedianMs: median(layoutMs),
    firstMs,
    pngMedianMs: median(pngMs),
    localMedianMs: median(localMs),
  };
}
