import { attrs, dotHeader, mermaidId, mermaidLabel, q } from './syntax.ts';

/**
 * A drawing independent of its format: boxes in nested groups and labelled arrows. The local
 * topology is built as one and rendered to DOT and Mermaid by the same two functions, so the
 * formats cannot show different things.
 */
export interface Graph {
  readonly title: string;
  readonly clusters: readonly Cluster[];
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface Cluster {
  readonly id: string;
  readonly label: string;
  readonly fill: string;
  readonly parent?: string;
}

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly shape?: 'box' | 'ellipse' | 'cylinder' | 'note' | 'folder';
  readonly fill?: string;
  readonly cluster?: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly style?: 'solid' | 'dashed' | 'dotted';
}

/** The graph as a Graphviz digraph, left to right, styled as the deployment's picture. */
export function graphToDot(g: Graph): string {
  const out: string[] = dotHeader(g.title);
  const body = (cluster: string | undefined, indent: string) => {
    for (const n of g.nodes.filter((x) => x.cluster === cluster))
      out.push(
        `${indent}${q(n.id)} ${attrs({ label: n.label, ...(n.shape && n.shape !== 'box' ? { shape: n.shape } : {}), ...(n.fill ? { fillcolor: n.fill } : {}) })};`,
      );
    for (const c of g.clusters.filter((x) => x.parent === cluster)) {
      out.push(
        `${indent}subgraph ${q(`cluster_${c.id}`)} {`,
        `${indent}  label=${q(c.label)}; style="rounded,filled"; fillcolor=${q(c.fill)}; color="#9aa5b1";`,
      );
      body(c.id, `${indent}  `);
      out.push(`${indent}}`);
    }
  };
  body(undefined, '  ');
  for (const e of g.edges)
    out.push(
      `  ${q(e.from)} -> ${q(e.to)}${e.label || e.style ? ` ${attrs({ ...(e.label ? { label: e.label } : {}), ...(e.style && e.style !== 'solid' ? { style: e.style } : {}) })}` : ''};`,
    );
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** The same graph as a Mermaid flowchart for pasting into Markdown. */
export function graphToMermaid(g: Graph): string {
  const out: string[] = ['flowchart LR'];
  const shape = (n: GraphNode) => {
    const l = mermaidLabel(n.label);
    switch (n.shape) {
      case 'ellipse':
        return `((${l}))`;
      case 'cylinder':
        return `[(${l})]`;
      case 'note':
        return `>${l}]`;
      default:
        return `[${l}]`;
    }
  };
  const body = (cluster: string | undefined, indent: string) => {
    for (const n of g.nodes.filter((x) => x.cluster === cluster))
      out.push(`${indent}${mermaidId(n.id)}${shape(n)}`);
    for (const c of g.clusters.filter((x) => x.parent === cluster)) {
      out.push(`${indent}subgraph ${mermaidId(`cluster_${c.id}`)}[${mermaidLabel(c.label)}]`);
      body(c.id, `${indent}  `);
      out.push(`${indent}end`);
    }
  };
  body(undefined, '  ');
  for (const e of g.edges) {
    const arrow = e.style === 'dashed' || e.style === 'dotted' ? '-.->' : '-->';
    out.push(
      `  ${mermaidId(e.from)} ${arrow}${e.label ? `|${mermaidLabel(e.label)}|` : ''} ${mermaidId(e.to)}`,
    );
  }
  return `${out.join('\n')}\n`;
}
