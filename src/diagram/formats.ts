/** What `berth diagram --format` draws; apart from diagram.ts so the CLI can offer them without loading it. */
export const DIAGRAM_FORMATS = ['svg', 'mermaid', 'dot', 'png'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];
