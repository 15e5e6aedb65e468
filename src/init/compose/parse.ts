import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { firstLine, UsageError } from '../../shared/errors.ts';

/** A compose file after parsing and validation: plain data, and where each key is, for messages. */
export interface ComposeFile {
  readonly file: string;
  readonly data: ComposeData;
}

export interface ComposeData {
  readonly services?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/**
 * The Compose specification's JSON Schema, vendored from github.com/compose-spec/compose-spec
 * (schema/compose-spec.json at commit 170098ba07d9, 2026-06-23; Apache-2.0, LICENSE beside it): no maintained npm package ships it.
 * Read from disk, not imported: Node 20 marks JSON modules experimental.
 */
let validator: ReturnType<Ajv['compile']> | undefined;
function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const { $schema: _draft, ...schema } = JSON.parse(
      readFileSync(new URL('./compose-spec.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    // Draft-07 (named by an https URL ajv does not know, hence dropped) with a few vendor keywords:
    // formats and unknown keywords are not ours to judge.
    validator = new Ajv({ allErrors: false, strict: false, validateFormats: false }).compile(schema);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/**
 * Reads a compose file: YAML (the `yaml` package keeps positions), then the Compose schema. A
 * problem is one line with the file, line and column, like an invalid berth config.
 */
export function readCompose(file: string, cwd = process.cwd()): ComposeFile {
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--from ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}); name a compose file`,
      { cause: err },
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const [yamlError] = doc.errors;
  if (yamlError) {
    const at = lineCounter.linePos(yamlError.pos[0]);
    throw new UsageError(`${file}:${at.line}:${at.col}: not valid YAML: ${firstLine(yamlError)}`);
  }
  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new UsageError(`${file}: a compose file is a mapping with a services key; this one is not`);
  const [error] = validate(data);
  if (error) {
    const keys = error.instancePath.split('/').slice(1).map(unescape);
    const extra = (error.params as { additionalProperty?: string }).additionalProperty;
    const at = position(doc, lineCounter, extra === undefined ? keys : [...keys, extra]);
    const where = keys.join('.') || '(top level)';
    throw new UsageError(`${file}:${at}: ${where} ${schemaMessage(error)} (Compose specification)`);
  }
  return { file: absolute, data: data as ComposeData };
}

function schemaMessage(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties')
    return `has an unknown key '${String((error.params as { additionalProperty: string }).additionalProperty)}'`;
  return error.message ?? 'is invalid';
}

/** The line:column of the deepest node on the path that exists (the key itself when it is there). */
function position(doc: Document, lines: LineCounter, keys: readonly string[]): string {
  for (let n = keys.length; n >= 0; n -= 1) {
    const node = doc.getIn(
      keys.slice(0, n).map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
      true,
    );
    if (isNode(node) && node.range) {
      const at = lines.linePos(node.range[0]);
      return `${at.line}:${at.col}`;
    }
  }
  return '1:1';
}

function unescape(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}
