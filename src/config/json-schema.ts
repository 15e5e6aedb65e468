import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BerthConfigSchema } from './schema.ts';

/** A field's TSDoc from schema.ts, as scripts/schema-docs.ts wrote it into schema-docs.json. */
interface FieldDoc {
  readonly description?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
}

type JsonSchema = { [key: string]: unknown };

/**
 * The config's JSON Schema, for editors (`"$schema"` in JSON configs, or yaml-language-server),
 * with each field's description, default and examples from its TSDoc in schema.ts, the one place
 * they are written. Cross-field rules (Fargate sizes, table references) are only in berth's own
 * validation.
 */
export function configJsonSchema(): Record<string, unknown> {
  const docs = JSON.parse(readFileSync(new URL('./schema-docs.json', import.meta.url), 'utf8')) as Record<
    string,
    FieldDoc
  >;
  const schema = z.toJSONSchema(BerthConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  describe(schema, '', docs);
  return { ...schema, title: 'berth deployment config' };
}

/** Puts each field's docs on its node, by the path scripts/schema-docs.ts names it with. */
function describe(node: JsonSchema, at: string, docs: Record<string, FieldDoc>, form = false): void {
  // A stage's field means what the same field means at the top (its docs are written there once).
  const doc = at && !form ? (docs[at] ?? docs[at.replace(/^stages\.\*\./, '')]) : undefined;
  if (doc) Object.assign(node, doc);
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  for (const [key, child] of Object.entries(properties ?? {}))
    describe(child, at ? `${at}.${key}` : key, docs);
  if (isSchema(node.additionalProperties)) describe(node.additionalProperties, `${at}.*`, docs);
  if (isSchema(node.items)) describe(node.items, `${at}[]`, docs);
  // A union's forms are the same field: `image` is built or referenced, `waf` a switch or settings.
  for (const form of [node.anyOf, node.oneOf].flat()) if (isSchema(form)) describe(form, at, docs, true);
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
