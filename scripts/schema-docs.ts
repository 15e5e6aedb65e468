/**
 * Writes src/config/schema-docs.json: the TSDoc of every field of the config (src/config/schema.ts),
 * as the description, default and examples that `berth schema` puts into the JSON Schema. The TSDoc
 * is the one source: TypeScript shows it on hover in `berth.config.ts`, and this file carries it to
 * JSON and YAML editors. test/config/json-schema.test.ts fails when the file is stale.
 *
 *   npm run schema-docs
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';

export interface FieldDoc {
  readonly description?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
}

const ROOT = path.resolve(import.meta.dirname, '..');
export const SCHEMA_FILE = path.join(ROOT, 'src/config/schema.ts');
export const DOCS_FILE = path.join(ROOT, 'src/config/schema-docs.json');

/**
 * Each field's docs by path: `services.*.image.context` (`*` for any key of a record, `[]` for the
 * items of an array), read through the type checker from the `BerthConfig` type, so that a field
 * declared in a separate schema constant gets the path it has in a config.
 */
export function extractSchemaDocs(): Record<string, FieldDoc> {
  const program = ts.createProgram([SCHEMA_FILE], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(SCHEMA_FILE)!)!;
  const config = checker.getExportsOfModule(module).find((s) => s.name === 'BerthConfig');
  if (!config) throw new Error(`${SCHEMA_FILE} exports no BerthConfig type`);
  const docs: Record<string, FieldDoc> = {};
  const seen = new Set<ts.Type>();

  const walk = (type: ts.Type, at: string): void => {
    type = checker.getNonNullableType(type);
    if (type.isUnion()) return type.types.forEach((t) => walk(t, at));
    if (checker.isArrayType(type))
      return walk(checker.getTypeArguments(type as ts.TypeReference)[0]!, `${at}[]`);
    if (!(type.flags & ts.TypeFlags.Object) || seen.has(type)) return;
    seen.add(type);
    const values = type.getStringIndexType();
    if (values) walk(values, `${at}.*`);
    for (const property of checker.getPropertiesOfType(type)) {
      const where = at ? `${at}.${property.name}` : property.name;
      const doc = fieldDoc(property, checker);
      if (Object.keys(doc).length > 0) docs[where] = doc;
      walk(checker.getTypeOfSymbol(property), where);
    }
    seen.delete(type);
  };
  walk(checker.getDeclaredTypeOfSymbol(config), '');
  return Object.fromEntries(Object.entries(docs).sort(([a], [b]) => a.localeCompare(b)));
}

function fieldDoc(property: ts.Symbol, checker: ts.TypeChecker): FieldDoc {
  const text = (parts: ts.SymbolDisplayPart[] | undefined) =>
    ts.displayPartsToString(parts).replace(/\s+/g, ' ').trim();
  const prose: string[] = [];
  const description = text(property.getDocumentationComment(checker));
  if (description) prose.push(description);
  let value: unknown;
  const examples: unknown[] = [];
  for (const tag of property.getJsDocTags(checker)) {
    const written = text(tag.text);
    if (tag.name === 'default') {
      // A default that is a value goes where editors show it; one said in words stays words.
      const parsed = literal(written);
      if (parsed.ok) value = parsed.value;
      else prose.push(`Default: ${written}.`);
    } else if (tag.name === 'example') {
      const parsed = literal(written);
      if (parsed.ok) examples.push(parsed.value);
      else prose.push(`Example: ${written}.`);
    }
  }
  return {
    ...(prose.length > 0 ? { description: prose.join(' ') } : {}),
    ...(value !== undefined ? { default: value } : {}),
    ...(examples.length > 0 ? { examples } : {}),
  };
}

/** A TSDoc value written as a JavaScript literal (`'arm64'`, `['node', 'x.js']`, `{ rateLimit: 500 }`). */
function literal(written: string): { ok: true; value: unknown } | { ok: false } {
  try {
    // Our own source's comments, in a context with no globals: prose such as `no budget` throws. No
    // time bound: a busy machine could pass one and turn a value into words.
    const value: unknown = vm.runInNewContext(`(${written})`, Object.create(null));
    if (value === undefined || typeof value === 'function') return { ok: false };
    return { ok: true, value: JSON.parse(JSON.stringify(value)) };
  } catch {
    return { ok: false };
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  writeFileSync(DOCS_FILE, `${JSON.stringify(extractSchemaDocs(), null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), DOCS_FILE)}\n`);
}
