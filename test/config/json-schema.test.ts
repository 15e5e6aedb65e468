import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import reference from '../../examples/cruddur/berth.config.ts';
import { configJsonSchema } from '../../src/config/index.ts';
import { DOCS_FILE, extractSchemaDocs } from '../../scripts/schema-docs.ts';
import { REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';

const schema = configJsonSchema() as Record<string, any>;

/** Every property of the schema, by its config path, with its node (union forms included). */
function properties(node: any, at = ''): [string, any][] {
  const found: [string, any][] = [];
  for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
    const where = at ? `${at}.${key}` : key;
    found.push([where, child], ...properties(child, where));
  }
  if (typeof node.additionalProperties === 'object')
    found.push(...properties(node.additionalProperties, `${at}.*`));
  if (node.items) found.push(...properties(node.items, `${at}[]`));
  for (const form of [node.anyOf ?? [], node.oneOf ?? []].flat()) found.push(...properties(form, at));
  return found;
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('the JSON Schema berth schema writes', () => {
  it('describes every property, from the TSDoc of schema.ts', () => {
    const all = properties(schema);
    expect(all.length).toBeGreaterThan(60);
    expect(all.filter(([, node]) => !node.description).map(([where]) => where)).toEqual([]);
  });

  it('carries defaults and examples, and says a default that is not a value in words', () => {
    const field = (where: string) => Object.fromEntries(properties(schema))[where];
    expect(field('app')).toMatchObject({ examples: ['cruddur'] });
    expect(field('services.*.healthCheck.interval')).toMatchObject({
      description: 'Seconds between probes.',
      default: 15,
    });
    expect(field('services.*.healthCheck.command')).toMatchObject({
      examples: [['node', 'dist/healthcheck.js']],
    });
    expect(field('waf')).toMatchObject({ default: false, examples: [{ rateLimit: 500 }] });
    expect(field('services.*.scaling.desired').description).toBe(
      'Tasks at deploy time. Default: scaling.min, at least 1.',
    );
    // The documented default is the one normalizeConfig applies.
    expect(field('services.*.permissions[].access').default).toBe('read');
  });

  it('is written from the current TSDoc (npm run schema-docs rewrites src/config/schema-docs.json)', () => {
    expect(JSON.parse(readFileSync(DOCS_FILE, 'utf8')), 'stale: run npm run schema-docs').toEqual(
      extractSchemaDocs(),
    );
  }, 30_000);

  it('accepts the reference config with the "$schema" key an editor writes', () => {
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const withSchema = { $schema: './berth.schema.json', ...structuredClone(reference) };
    expect(validate(withSchema), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...withSchema, extra: 1 })).toBe(false);
  });

  it('is followed by berth check: a JSON config that names its schema checks clean', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'berth-schema-'));
    folders.push(folder);
    for (const service of ['frontend', 'backend'])
      symlinkSync(path.join(path.dirname(REFERENCE_FILE), service), path.join(folder, service));
    mkdirSync(path.join(folder, 'schema'));
    const written = await runBerth(['schema', '--out', path.join(folder, 'schema', 'berth.schema.json')]);
    expect(written.code, written.stderr).toBe(0);
    writeFileSync(
      path.join(folder, 'berth.config.json'),
      JSON.stringify({ $schema: './schema/berth.schema.json', ...structuredClone(reference) }),
    );
    const run = await runBerth(['check', '--skip-lint', '--config', 'berth.config.json'], { cwd: folder });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('No unacknowledged findings.');
  }, 60_000);
});
