// The bits of DOT and Mermaid syntax both drawings (the AWS topology, the local run's graph) write.

/** A DOT string literal. */
export const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** A DOT attribute list: numbers bare, everything else quoted. */
export const attrs = (a: Record<string, string | number>) =>
  `[${Object.entries(a)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : q(v)}`)
    .join(', ')}]`;

/** The opening of a berth digraph: left to right, titled, with the shared node and edge style. */
export function dotHeader(title: string): string[] {
  return [
    'digraph berth {',
    `  graph ${attrs({ rankdir: 'LR', fontname: 'Helvetica', fontsize: 12, nodesep: 0.25, ranksep: 0.55, label: title, labelloc: 't' })};`,
    `  node ${attrs({ fontname: 'Helvetica', fontsize: 10, shape: 'box', style: 'rounded,filled', fillcolor: '#ffffff', color: '#52606d' })};`,
    `  edge ${attrs({ fontname: 'Helvetica', fontsize: 9, color: '#52606d' })};`,
  ];
}

/** Mermaid ids: letters, digits and underscores only. */
export const mermaidId = (s: string) => s.replace(/[^A-Za-z0-9]/g, '_');

/** A quoted Mermaid label; line breaks as <br/>, quotes as entities. */
export const mermaidLabel = (s: string) => `"${s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>')}"`;
