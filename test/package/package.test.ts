import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
/** npm without prompts, audits or funding notes; the cache that `npm ci` filled serves the tarballs. */
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** The small app a new user has: an API and a static site, each its own package. Not Cruddur. */
const APP: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'notes', private: true }),
  'api/package.json': JSON.stringify({
    name: 'notes-api',
    type: 'module',
    scripts: { start: 'node server.js' },
  }),
  'api/server.js': `import { createServer } from 'node:http';
const server = createServer((req, res) => {
  if (req.url === '/health') return res.writeHead(200).end('ok');
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ notes: ['first'] }));
});
server.listen(Number(process.env.PORT ?? 4000), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  'site/package.json': JSON.stringify({
    name: 'notes-site',
    type: 'module',
    scripts: { start: 'node serve.js' },
  }),
  'site/index.html': '<!doctype html><title>notes</title><h1>Notes</h1>\n',
  'site/serve.js': `import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
const page = readFileSync(new URL('./index.html', import.meta.url));
const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
server.listen(Number(process.env.PORT || 3000), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
};

let work: string;
let app: string;
let tarball: string;
let files: string[];
let upStarted = false;

/** `npx berth ARGS` in the app, through the bin npm linked; a non-zero exit is a result. */
async function berth(
  args: string[],
  timeout = 120_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(app, 'node_modules/.bin/berth'), args, {
      cwd: app,
      timeout,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(err),
    };
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'berth-package-'));
  // npm pack runs prepack, which builds dist/ from the current source.
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], {
    cwd: ROOT,
    maxBuffer: 20 * 1024 * 1024,
  });
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = path.join(work, info.filename);
  files = info.files.map((f) => f.path);
  app = path.join(work, 'notes');
  for (const [name, text] of Object.entries(APP)) {
    mkdirSync(path.dirname(path.join(app, name)), { recursive: true });
    writeFileSync(path.join(app, name), text);
  }
  await run('npm', ['install', '--save-dev', tarball, ...NPM_FLAGS], { cwd: app, timeout: 240_000 });
}, 420_000);

afterAll(async () => {
  if (upStarted) await berth(['down']);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the compiled tool and its types, and no tests, examples, docs, bench or TypeScript source', () => {
    expect(files).toContain('bin/berth.js');
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/init/compose/compose-spec.json');
    expect(files).toContain('dist/init/compose/LICENSE');
    const stray = files.filter(
      (f) =>
        /^(test|examples|docs|bench|src)\//.test(f) ||
        /\.test\.|(^|\/)tsconfig/.test(f) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    expect(stray).toEqual([]);
  });

  it('lists every package its code imports under dependencies', () => {
    const installed = path.join(app, 'node_modules/berth');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of readdirSync(path.join(installed, 'dist'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.js')) continue;
      const text = readFileSync(path.join(installed, 'dist', file), 'utf8');
      const statements = text.matchAll(/^\s*(?:import|export)\s[^;()'"]*?\sfrom\s*['"]([^'".][^'"]*)['"]/gm);
      const dynamic = text.matchAll(/\bimport\(\s*['"]([^'".][^'"]*)['"]\s*\)/g);
      for (const [, spec] of [...statements, ...dynamic]) {
        const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
        if (!spec!.startsWith('node:') && !builtinModules.includes(name)) imported.add(name);
      }
    }
    expect([...imported].filter((name) => !(name in manifest.dependencies))).toEqual([]);
  });

  it('types a config that imports defineConfig from berth', () => {
    const types = readFileSync(path.join(app, 'node_modules/berth/dist/config/schema.d.ts'), 'utf8');
    expect(types).toMatch(/export declare function defineConfig\(config: BerthConfig\): BerthConfig;/);
    const manifest = JSON.parse(readFileSync(path.join(app, 'node_modules/berth/package.json'), 'utf8')) as {
      exports: { '.': { types: string } };
    };
    expect(manifest.exports['.'].types).toBe('./dist/index.d.ts');
  });

  it('takes a new app from npm install to berth up, check, synth and down', async () => {
    const init = await berth(['init', '--yes']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^site +\.\/site +https:\/\/notes\.localhost:8443$/m);
    expect(init.stdout).toMatch(/^api +\.\/api +https:\/\/api\.notes\.localhost:8443$/m);

    // Free ports for the edge and listeners: other runs may hold the defaults on this machine.
    upStarted = true;
    const up = await berth([
      'up',
      '--detach',
      '--http-port',
      '0',
      '--https-port',
      '0',
      '--discovery-ports',
      'free',
    ]);
    expect(up.code, up.stderr).toBe(0);
    const edge = /https:\/\/notes\.localhost:(\d+)\//.exec(up.stdout);
    expect(edge, up.stdout).not.toBeNull();
    const ca = readFileSync(path.join(app, '.berth/ca.crt'));
    const site = await get(`notes.localhost`, Number(edge![1]), '/', ca);
    expect(site).toMatchObject({ status: 200 });
    expect(site.body).toContain('<h1>Notes</h1>');
    const api = await get(`api.notes.localhost`, Number(edge![1]), '/notes', ca);
    expect(api).toEqual({ status: 200, body: '{"notes":["first"]}' });

    const check = await berth(['check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('No unacknowledged findings.');
    const synth = await berth(['synth', '--no-validate', '--out', path.join(work, 'cdk.out')]);
    expect(synth.code, synth.stderr).toBe(0);
    expect(readdirSync(path.join(work, 'cdk.out'))).toEqual(
      expect.arrayContaining(['NotesProd.template.json', 'NotesRegistry.template.json']),
    );

    // The price tables are data files next to the compiled estimator: they must be in the package.
    const cost = await berth(['cost', '--json']);
    expect(cost.code, cost.stderr).toBe(0);
    expect(JSON.parse(cost.stdout).monthlyUsd).toBeGreaterThan(0);

    // resvg's native binary comes as an optional dependency per platform: the install must bring it.
    const png = path.join(work, 'local.png');
    const drawn = await berth(['diagram', '--local', '--format', 'png', '--out', png]);
    expect(drawn.code, drawn.stderr).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');

    // So are the fields' descriptions the JSON Schema carries.
    const schema = await berth(['schema']);
    expect(schema.code, schema.stderr).toBe(0);
    expect(JSON.parse(schema.stdout).properties.app.description).toBe(
      'Application name; prefixes every resource.',
    );

    const down = await berth(['down']);
    upStarted = false;
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/^stopped /m);
  }, 300_000);
});

function get(
  host: string,
  port: number,
  pathname: string,
  ca: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(
        {
          host: '127.0.0.1',
          port,
          path: pathname,
          servername: host,
          ca,
          headers: { host: `${host}:${port}` },
          timeout: 10_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      )
      .on('error', reject);
  });
}
