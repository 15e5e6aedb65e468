/**
 * Writes a config object as the TypeScript a person would write: `defineConfig({...})`, single
 * quotes, a comment above each choice saying why. The object itself is validated before this runs;
 * the text says the same thing with reasons.
 */

/** A value with the comment to print above its key. */
export interface Commented {
  readonly value: unknown;
  readonly why?: string;
}

/** Fields in the order a reader expects, each with its reason where berth has one. */
export type CommentedObject = Readonly<Record<string, Commented>>;

/** A nested group of commented fields (`services`, one service), as opposed to a plain value. */
export class Group {
  constructor(readonly fields: CommentedObject) {}
}

const MAX_INLINE = 90;

export function renderConfig(header: readonly string[], fields: CommentedObject): string {
  return [
    "import { defineConfig } from 'berth';",
    '',
    ...header.map((line) => `// ${line}`),
    'export default defineConfig({',
    ...renderFields(fields, 1),
    '});',
    '',
  ].join('\n');
}

function renderFields(fields: CommentedObject, depth: number): string[] {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  for (const [key, { value, why }] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (why) for (const line of wrap(why, 100 - pad.length - 3)) lines.push(`${pad}// ${line}`);
    if (value instanceof Group) {
      lines.push(`${pad}${property(key)}: {`, ...renderFields(value.fields, depth + 1), `${pad}},`);
    } else lines.push(`${pad}${property(key)}: ${literal(value, depth)},`);
  }
  return lines;
}

function property(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key);
}

function quote(text: string): string {
  // JavaScript in a string (a health-check one-liner) reads better without escaped quotes.
  if (text.includes("'") && !text.includes('"')) return JSON.stringify(text);
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
}

/** A plain value as TypeScript: on one line when short, else one entry a line. */
function literal(value: unknown, depth: number): string {
  const inline = oneLine(value);
  if (inline.length + depth * 2 <= MAX_INLINE || value === null || typeof value !== 'object') return inline;
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(value))
    return `[\n${value.map((v) => `${pad}${literal(v, depth + 1)},`).join('\n')}\n${end}]`;
  return `{\n${Object.entries(value as object)
    .map(([k, v]) => `${pad}${property(k)}: ${literal(v, depth + 1)},`)
    .join('\n')}\n${end}}`;
}

function oneLine(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  const entries = Object.entries(value as object).filter(([, v]) => v !== undefined);
  return entries.length === 0
    ? '{}'
    : `{ ${entries.map(([k, v]) => `${property(k)}: ${oneLine(v)}`).join(', ')} }`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
