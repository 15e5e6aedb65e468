import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';
import { PNG_SIGNATURE } from '../support/png.ts';

const berth = (...args: string[]) =>
  runBerth(['diagram', '--config', REFERENCE_FILE, ...args], { cwd: os.tmpdir() });

describe('berth diagram (CLI)', () => {
  it('prints Mermaid to stdout', async () => {
    const { code, stdout, stderr } = await berth('--format', 'mermaid');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^flowchart LR\n/);
    expect(stdout).toContain('rule 10: host api.cruddur.example.com');
  });

  it('writes the SVG to --out', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-diagram-')), 'cruddur.svg');
    const { code, stdout } = await berth('--out', out);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('writes a PNG to --out', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-diagram-')), 'cruddur.png');
    const { code, stdout, stderr } = await berth('--format', 'png', '--out', out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(readFileSync(out).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it("draws the local run with --local and up's flags", async () => {
    const { code, stdout, stderr } = await berth(
      '--local',
      '--format',
      'mermaid',
      '--engine',
      'podman',
      '--https-port',
      '9443',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^flowchart LR\n/);
    expect(stdout).toContain('HTTPS 127.0.0.1:9443');
    expect(stdout).toContain('Service Connect stand-in for backend<br/>backend:4567');
  });

  it('refuses a local flag without --local, and a --scale of no service, with exit 2', async () => {
    const without = await berth('--engine', 'podman');
    expect(without.code).toBe(2);
    expect(without.stderr).toBe('berth: --engine describes the local run: add --local, or leave it out\n');
    const unknown = await berth('--local', '--scale', 'nope=2');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "berth: --scale nope=...: no service 'nope' in this config (services: backend, frontend)\n",
    );
  });

  it('refuses an unknown format with exit 2', async () => {
    const { code, stderr, stdout } = await berth('--format', 'gif');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/argument 'gif' is invalid\. Allowed choices are svg, mermaid, dot, png/);
  });

  it('names --out and the problem when the file cannot be written there (exit 2)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-diagram-')), 'a-file');
    writeFileSync(file, '');
    const { code, stderr } = await berth('--out', path.join(file, 'x.svg'));
    expect(code).toBe(2);
    expect(stderr).toBe(
      `berth: --out ${path.join(file, 'x.svg')}: part of the path is a file, not a folder; choose another path\n`,
    );
  });
});
