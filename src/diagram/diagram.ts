import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import { localPlan, type LocalPlanOptions } from '../local/index.ts';
import { toDot } from './dot.ts';
import { graphToDot, graphToMermaid } from './graph.ts';
import { localGraph } from './local-graph.ts';
import { localTopologyFrom, type LocalTopology } from './local-topology.ts';
import { toMermaid } from './mermaid.ts';
import { renderPng } from './png.ts';
import type { DiagramFormat } from './formats.ts';
import { topologyFrom, type Topology } from './topology.ts';

export { DIAGRAM_FORMATS, type DiagramFormat } from './formats.ts';

interface Drawing {
  readonly format: DiagramFormat;
  /** The SVG, Mermaid or DOT text; for `png`, the SVG the picture was rendered from. */
  readonly text: string;
  /** The PNG file's bytes, for `png` only. */
  readonly png?: Buffer;
}

export interface DiagramResult extends Drawing {
  readonly topology: Topology;
}

export interface LocalDiagramResult extends Drawing {
  readonly topology: LocalTopology;
}

/**
 * Draws the deployment: synthesizes the stacks (offline, without the compliance plugins), reads the
 * topology back from the templates, and renders it. SVG is laid out by Graphviz compiled to
 * WebAssembly, PNG rendered from that SVG by resvg: no browser, network or system Graphviz needed.
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
  return {
    ...(await draw(
      format,
      () => toMermaid(topology),
      () => toDot(topology),
    )),
    topology,
  };
}

/**
 * Draws what `berth up` with these options runs: the plan the supervisor starts from (edge ports and
 * rules, task counts, Service Connect stand-ins) and the local files that stand in for AWS services.
 * Nothing is started or synthesized.
 */
export async function localDiagram(
  config: ResolvedConfig,
  format: DiagramFormat,
  options: LocalPlanOptions = {},
): Promise<LocalDiagramResult> {
  const topology = localTopologyFrom(config, localPlan(config, options));
  const graph = localGraph(topology);
  return {
    ...(await draw(
      format,
      () => graphToMermaid(graph),
      () => graphToDot(graph),
    )),
    topology,
  };
}

async function draw(format: DiagramFormat, mermaid: () => string, dot: () => string): Promise<Drawing> {
  if (format === 'mermaid') return { format, text: mermaid() };
  if (format === 'dot') return { format, text: dot() };
  const svg = await renderSvg(dot());
  return format === 'png' ? { format, text: svg, png: await renderPng(svg) } : { format, text: svg };
}

/** DOT -> SVG with @hpcc-js/wasm-graphviz (Graphviz's own layout, compiled to WebAssembly). */
export async function renderSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, 'svg');
}
