export {
  diagram,
  DIAGRAM_FORMATS,
  localDiagram,
  renderSvg,
  type DiagramFormat,
  type DiagramResult,
  type LocalDiagramResult,
} from './diagram.ts';
export { toDot } from './dot.ts';
export type { Graph } from './graph.ts';
export { localGraph } from './local-graph.ts';
export type { LocalService, LocalTopology } from './local-topology.ts';
export { toMermaid } from './mermaid.ts';
export { renderPng } from './png.ts';
export type { Listener, Service, Subnet, TargetGroup, Topology } from './topology.ts';
