import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import reference from '../../examples/cruddur/berth.config.ts';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { runBerth } from '../support/berth-cli.ts';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/**
 * The reference config as JSON in a fresh folder, changed by `change`, with a folder and a
 * Containerfile for each service that `present` lists.
 */
function appFolder(change: (c: any) => void, present = ['frontend', 'backend']): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'berth-paths-'));
  folders.push(folder);
  for (const dir of present) {
    mkdirSync(path.join(folder, dir));
    writeFileSync(path.join(folder, dir, 'Containerfile'), 'FROM scratch\n');
  }
  const raw = structuredClone(reference) as any;
  change(raw);
  writeFileSync(path.join(folder, 'berth.config.json'), JSON.stringify(raw));
  return folder;
}

async function problems(folder: string, files: 'images' | 'process'): Promise<string[]> {
  const error = await loadConfig('berth.config.json', folder, { files }).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error === undefined) return [];
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
}

describe('folders and files a config names, checked as it loads', () => {
  it('names a build context that is not there, and a Containerfile missing from its context', async () => {
    const folder = appFolder((c) => (c.services.frontend.image.file = 'Dockerfile'), ['frontend']);
    expect(await problems(folder, 'images')).toEqual([
      `services.backend.image.context: backend is not a folder (looked for ${folder}/backend); give the folder to build, relative to the config file`,
      `services.frontend.image.file: Dockerfile is not in frontend (looked for ${folder}/frontend/Dockerfile); name the Containerfile inside image.context`,
    ]);
  });

  it('says a missing folder and a stack over its limit in one error, not the first alone', async () => {
    const folder = appFolder((c) => {
      // 29 routed services: 516 resources, over CloudFormation's 500; none of their folders exists.
      for (let i = 1; i <= 27; i++)
        c.services[`s${i}`] = {
          image: { context: `./s${i}` },
          port: 5000 + i,
          healthCheck: { path: '/' },
          route: { host: `s${i}` },
        };
    });
    const found = await problems(folder, 'images');
    expect(found[0]).toMatch(
      /^services: 29 services make stack CruddurProd \d+ resources, over CloudFormation's limit of 500/,
    );
    expect(found.slice(1)).toHaveLength(27);
    expect(found[1]).toMatch(/^services\.s1\.image\.context: s1 is not a folder/);
  });

  it('needs local.command and an existing local.cwd for every service, for the process engine only', async () => {
    const folder = appFolder((c) => {
      delete c.services.frontend.local;
      c.services.backend.local.cwd = './server';
    });
    expect(await problems(folder, 'process')).toEqual([
      `services.backend.local.cwd: server is not a folder (looked for ${folder}/server); give the folder the command runs in (default: image.context), relative to the config file`,
      "services.frontend.local.command: is not set, and `berth up --engine process` starts each service with it; set it (e.g. ['node', 'dist/server.js']), or use a container engine (--engine podman)",
    ]);
    expect(await problems(folder, 'images')).toEqual([]);
  });

  it('checks nothing for a command that reads no folder', async () => {
    const folder = appFolder(() => {}, []);
    expect((await loadConfig('berth.config.json', folder)).app).toBe('cruddur');
  });

  it('is a config error (exit 2) for check, synth, build and up, before anything starts', async () => {
    const folder = appFolder((c) => delete c.services.frontend.local, ['frontend']);
    const context = `services.backend.image.context: backend is not a folder (looked for ${folder}/backend)`;
    const runs = await Promise.all(
      [
        ['check'],
        ['synth', '--out', path.join(folder, 'cdk.out')],
        ['build'],
        ['up', '--engine', 'podman'],
        ['up', '--engine', 'process'],
      ].map((args) => runBerth([...args, '--config', 'berth.config.json'], { cwd: folder })),
    );
    for (const run of runs.slice(0, 4)) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(context);
    }
    const processRun = runs[4]!;
    expect(processRun.code, processRun.stderr).toBe(2);
    expect(processRun.stderr).toContain('services.frontend.local.command: is not set');
    // Nothing started or written: no state folder, not even an empty --out folder.
    expect(existsSync(path.join(folder, '.berth'))).toBe(false);
    expect(existsSync(path.join(folder, 'cdk.out'))).toBe(false);
  });
});
