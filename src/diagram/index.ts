export { diagram, renderSvg, type DiagramFormat, type DiagramResult } from './diagram.ts';
export { toDot } from './dot.ts';
export { toMermaid } from './mermaid.ts';
export type { Listener, Service, Subnet, TargetGroup, Topology } from './topology.ts';
