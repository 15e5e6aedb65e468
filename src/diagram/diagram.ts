import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import { toDot } from './dot.ts';
import { toMermaid } from './mermaid.ts';
import { topologyFrom, type Topology } from './topology.ts';

export type DiagramFormat = 'svg' | 'mermaid' | 'dot';

export interface DiagramResult {
  readonly format: DiagramFormat;
  readonly text: string;
  readonly topology: Topology;
}

/**
 * Draws the deployment: synthesizes the stacks (offline, without the compliance plugins), reads the
 * topology back from the templates, and renders it. SVG is laid out by Graphviz compiled to
 * WebAssembly, so no browser, network or system Graphviz is needed.
 */
export async function diagram(config: ResolvedConfig, format: DiagramFormat): Promise<DiagramResult> {
  // CDK is loaded on use: it takes seconds to import, and the CLI must start fast.
  const { synth } = await import('../infra/index.ts');
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'berth-diagram-'));
  let topology: Topology;
  try {
    topology = topologyFrom(config, synth(config, { outdir, validate: false }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  if (format === 'mermaid') return { format, text: toMermaid(topology), topology };
  const dot = toDot(topology);
  if (format === 'dot') return { format, text: dot, topology };
  return { format, text: await renderSvg(dot), topology };
}

/** DOT -> SVG with @hpcc-js/wasm-graphviz (Graphviz's own layout, compiled to WebAssembly). */
export async function renderSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, 'svg');
}
