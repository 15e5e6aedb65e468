import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { initProject, type InitQuestions } from '../../src/init/index.ts';
import { runBerth } from '../support/berth-cli.ts';
import { json, project } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const track = (dir: string) => (dirs.push(dir), dir);

/** A Node.js API without a Containerfile and a site with one: what a small team's repository looks like. */
const APP = {
  'package.json': json({ name: '@acme/store', private: true }),
  '.gitignore': 'node_modules\n',
  'api/package.json': json({
    name: 'store-api',
    scripts: { start: 'node server.js' },
    dependencies: { fastify: '^5' },
  }),
  'api/server.js': "app.get('/healthz', ok);\napp.listen({ port: Number(process.env.PORT ?? 4100) });\n",
  'site/Containerfile':
    'FROM nginx@sha256:0\nEXPOSE 8081\nHEALTHCHECK --interval=10s CMD ["/app/healthcheck"]\n',
  'site/package.json': json({ name: 'store-site', scripts: { start: 'npx serve -l $PORT dist' } }),
};

describe('berth init in a project folder', () => {
  it('finds both services, writes a config that loads, the hardened Containerfile and the .gitignore lines', async () => {
    const dir = track(project(APP));
    const result = await initProject({ dir });
    const config = await loadConfig(path.join(dir, 'berth.config.ts'));
    expect(config.app).toBe('store');
    expect(config.domain).toBe('store.example.com');
    const api = config.services.find((s) => s.id === 'api')!;
    const site = config.services.find((s) => s.id === 'site')!;
    expect(api).toMatchObject({ port: 4100, route: { label: 'api' }, healthCheck: { path: '/healthz' } });
    expect(api.local?.command).toEqual(['node', 'server.js']);
    expect(site).toMatchObject({
      port: 8081,
      route: { label: '@' },
      healthCheck: { command: ['/app/healthcheck'] },
    });
    // A start script with shell syntax runs through npm.
    expect(site.local?.command).toEqual(['npm', 'start']);
    expect(result.written).toEqual(
      expect.arrayContaining(['berth.config.ts', 'api/Containerfile', 'api/.dockerignore', '.gitignore']),
    );
    // The site's own Containerfile stays as it was.
    expect(readFileSync(path.join(dir, 'site/Containerfile'), 'utf8')).toBe(APP['site/Containerfile']);

    const containerfile = readFileSync(path.join(dir, 'api/Containerfile'), 'utf8');
    expect(containerfile).toMatch(/^FROM \$\{BUILD_IMAGE\} AS build$/m);
    expect(containerfile).toMatch(
      /^ARG BASE_IMAGE=gcr\.io\/distroless\/nodejs20-debian12@sha256:[a-f0-9]{64}$/m,
    );
    expect(containerfile).toMatch(/^USER 1000:1000$/m);
    expect(containerfile).toMatch(/^EXPOSE 4100$/m);
    expect(containerfile).toMatch(/^CMD \["node", "server\.js"\]$/m);
    // Every RUN, HEALTHCHECK and CMD in exec form: the runtime has no shell to run the other form.
    for (const line of containerfile.split('\n').filter((l) => /^(RUN|CMD|ENTRYPOINT|HEALTHCHECK)\b/.test(l)))
      expect(line).toMatch(/(RUN|CMD|ENTRYPOINT) \[/);
    expect(api.healthCheck.command?.[0]).toBe('node');
    expect(api.healthCheck.command?.join(' ')).toContain('/healthz');

    const gitignore = readFileSync(path.join(dir, '.gitignore'), 'utf8');
    expect(gitignore).toBe(
      'node_modules\n# berth: local state and secrets, never committed\n.berth/\n.berth/secrets.local.json\n',
    );
    // Run again with --force: the lines are there once, the config replaced.
    await initProject({ dir, force: true });
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe(gitignore);
  });

  it('asks for what it cannot infer, and writes no Containerfile when the offer is declined', async () => {
    const dir = track(project(APP));
    const asked: string[] = [];
    const questions: InitQuestions = {
      text: async (question, suggested) => {
        asked.push(`${question} [${suggested}]`);
        return question.startsWith('App') ? 'acme' : 'acme.dev';
      },
      choose: async (question, choices, suggested) => {
        asked.push(`${question} ${choices.join('/')} [${suggested}]`);
        // The frontend question, then the api. question: answer the other way round from the guess.
        return question.includes('frontend') ? 'api' : 'site';
      },
      confirm: async (question) => {
        asked.push(question);
        return false;
      },
    };
    await initProject({ dir, questions });
    expect(asked).toEqual([
      'App name (prefixes every AWS resource) [store]',
      'Domain the app answers on [acme.example.com]',
      "api has no Containerfile: write berth's hardened one (distroless, non-root, no shell)?",
      'Which service is the public frontend (https://<domain>)? api/site [site]',
      'Which service answers on api.<domain>? site/none [site]',
    ]);
    expect(existsSync(path.join(dir, 'api/Containerfile'))).toBe(false);
    const config = await loadConfig(path.join(dir, 'berth.config.ts'));
    expect(config).toMatchObject({ app: 'acme', domain: 'acme.dev' });
    expect(config.services.find((s) => s.id === 'api')).toMatchObject({ route: { label: '@' } });
    expect(config.services.find((s) => s.id === 'api')!.healthCheck.command).toBeUndefined();
  });
});

describe('berth init names services the config accepts', () => {
  it('numbers a second service of the same long folder name within the 32 characters an id may have', async () => {
    const name = 'inventory-reconciliation-service-worker';
    const dir = track(
      project({
        [`apps/${name}/Containerfile`]: 'FROM nginx@sha256:0\nEXPOSE 8081\n',
        [`jobs/${name}/Containerfile`]: 'FROM nginx@sha256:0\nEXPOSE 8082\n',
      }),
    );
    await initProject({ dir });
    const config = await loadConfig(path.join(dir, 'berth.config.ts'));
    expect(config.services.map((s) => s.id).sort()).toEqual([
      'inventory-reconciliation-servi-2',
      'inventory-reconciliation-service',
    ]);
  });
});

describe('berth init refuses bad input with one line and exit 2, and writes nothing', () => {
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    [
      'an invalid compose file: its position and the schema message',
      { 'compose.yaml': 'services:\n  web:\n    build: .\n    ports: "8080:80"\n' },
      [],
      /^berth: compose\.yaml:4:12: services\.web\.ports must be array \(Compose specification\)$/,
    ],
    [
      'a compose file that is not YAML',
      { 'docker-compose.yml': 'services:\n  web:\n    build: .\n   image: x\n' },
      [],
      /^berth: docker-compose\.yml:4:\d+: not valid YAML: /,
    ],
    [
      'a compose file with no buildable service',
      { 'compose.yaml': 'services:\n  db:\n    image: postgres:16\n  web:\n    image: nginx:latest\n' },
      [],
      /^berth: compose\.yaml has no service berth can deploy: /,
    ],
    [
      'a folder with nothing to deploy',
      { 'README.md': '# notes\n', 'lib/package.json': json({ name: 'lib' }) },
      [],
      /^berth: nothing to deploy in .*: no Containerfile or Dockerfile, no package\.json with a start script, no compose file/,
    ],
    [
      'an existing config',
      { 'berth.config.ts': 'export default {};\n', Dockerfile: 'FROM x\n' },
      [],
      /^berth: berth\.config\.ts already exists in .*; pass --force to replace it$/,
    ],
    [
      'a bad --app',
      { Dockerfile: 'FROM x\n' },
      ['--app', 'My App'],
      /^berth: --app My App: use 2-32 characters/,
    ],
    [
      'an unknown --frontend',
      { Dockerfile: 'FROM x\n' },
      ['--frontend', 'web'],
      /^berth: --frontend web: no such service/,
    ],
  ];
  it.each(cases)('%s', async (_what, files, flags, message) => {
    const dir = track(project(files));
    const before = readdirSync(dir, { recursive: true }).sort();
    const run = await runBerth(['init', '--yes', ...flags], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
    expect(run.stdout).toBe('');
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before);
    if (files['berth.config.ts'])
      expect(readFileSync(path.join(dir, 'berth.config.ts'), 'utf8')).toBe(files['berth.config.ts']);
  });

  it('prints what it found and what to run next', async () => {
    const dir = track(project(APP));
    writeFileSync(path.join(dir, 'README.md'), '# store\n');
    const run = await runBerth(['init', '--yes'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "berth.config.ts for store (store.example.com) from this folder's services:",
    );
    expect(run.stdout).toMatch(/^site +\.\/site +https:\/\/store\.localhost:8443$/m);
    expect(run.stdout).toMatch(/^api +\.\/api +https:\/\/api\.store\.localhost:8443$/m);
    expect(run.stdout).toMatch(/^ {2}npx berth up /m);
    expect(run.stdout).toMatch(/^ {2}npx berth check /m);
  });
});
