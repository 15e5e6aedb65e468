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

/** A DOT string literal. */
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const attrs = (a: Record<string, string | number>) =>
  `[${Object.entries(a)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : q(v)}`)
    .join(', ')}]`;

/** The graph as a Graphviz digraph, left to right, styled as the deployment's picture. */
export function graphToDot(g: Graph): string {
  const out: string[] = [
    'digraph berth {',
    `  graph ${attrs({ rankdir: 'LR', fontname: 'Helvetica', fontsize: 12, nodesep: 0.25, ranksep: 0.55, label: g.title, labelloc: 't' })};`,
    `  node ${attrs({ fontname: 'Helvetica', fontsize: 10, shape: 'box', style: 'rounded,filled', fillcolor: '#ffffff', color: '#52606d' })};`,
    `  edge ${attrs({ fontname: 'Helvetica', fontsize: 9, color: '#52606d' })};`,
  ];
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

/** Mermaid ids: letters, digits and underscores only. */
const mid = (s: string) => s.replace(/[^A-Za-z0-9]/g, '_');
/** A quoted Mermaid label; line breaks as <br/>, quotes as entities. */
const mlabel = (s: string) => `"${s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>')}"`;

/** The same graph as a Mermaid flowchart for pasting into Markdown. */
export function graphToMermaid(g: Graph): string {
  const out: string[] = ['flowchart LR'];
  const shape = (n: GraphNode) => {
    const l = mlabel(n.label);
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
      out.push(`${indent}${mid(n.id)}${shape(n)}`);
    for (const c of g.clusters.filter((x) => x.parent === cluster)) {
      out.push(`${indent}subgraph ${mid(`cluster_${c.id}`)}[${mlabel(c.label)}]`);
      body(c.id, `${indent}  `);
      out.push(`${indent}end`);
    }
  };
  body(undefined, '  ');
  for (const e of g.edges) {
    const arrow = e.style === 'dashed' || e.style === 'dotted' ? '-.->' : '-->';
    out.push(`  ${mid(e.from)} ${arrow}${e.label ? `|${mlabel(e.label)}|` : ''} ${mid(e.to)}`);
  }
  return `${out.join('\n')}\n`;
}
