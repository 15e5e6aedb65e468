import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';

/** The dev + prod fixture that docs/stages-and-ci.md shows. */
const STAGED = path.resolve(import.meta.dirname, '../config/fixtures/stages.config.ts');

/** A config file in a fresh folder. */
function configFile(config: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-stages-'));
  const file = path.join(dir, 'berth.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** One service from a pinned image, and no compliance packs: `berth check` is a fast synth and the reachability check. */
const small = (stages: Record<string, unknown>) => ({
  app: 'shop',
  env: { account: '123456789012', region: 'us-east-1' },
  domain: 'shop.example.com',
  hostedZone: { id: 'Z0123456789SHOP', name: 'shop.example.com' },
  compliance: { packs: [], controlTower: false },
  services: {
    web: {
      image: { ref: `registry.example.com/web@sha256:${'a'.repeat(64)}` },
      port: 3000,
      healthCheck: { path: '/' },
      route: { host: '@' },
    },
  },
  stages,
});

describe('berth stages', () => {
  it("lists each stage's account, region, domain, production and the paths it overrides", async () => {
    const run = await runBerth(['stages', '--config', STAGED]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      `stage  account       region     domain                   production  overrides
-----  ------------  ---------  -----------------------  ----------  ---------
dev    123456789012  us-east-1  dev.cruddur.example.com  no          7
prod   123456789012  us-east-1  cruddur.example.com      yes         7

dev overrides:
  domain
  alb.allowedCidrs
  services.backend.scaling.max
  services.backend.spot
  services.backend.environment.FRONTEND_URL
  services.backend.secrets.SESSION_KEY
  services.frontend.spot

prod overrides:
  network.egress
  logs.retentionDays
  waf.rateLimit
  services.backend.cpu
  services.backend.memory
  services.backend.scaling.min
  services.backend.scaling.max

Without --stage, commands act on dev.
`,
    );
  });

  it('gives the same as JSON, and the one stage of a config without stages', async () => {
    const [json, plain] = await Promise.all([
      runBerth(['stages', '--config', STAGED, '--json']),
      runBerth(['stages', '--config', REFERENCE_FILE, '--json']),
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      declared: true,
      defaultStage: 'dev',
      stages: [
        { name: 'dev', account: '123456789012', production: false },
        { name: 'prod', domain: 'cruddur.example.com', production: true, overrides: expect.any(Array) },
      ],
    });
    expect(JSON.parse(plain.stdout)).toEqual({
      declared: false,
      defaultStage: 'prod',
      stages: [
        {
          name: 'prod',
          account: '123456789012',
          region: 'us-east-1',
          domain: 'cruddur.example.com',
          production: true,
          overrides: [],
        },
      ],
    });
  });
});

describe('--stage with declared stages', () => {
  it('refuses a stage the config does not declare, naming the declared ones, exit 2, before reaching AWS', async () => {
    const runs = await Promise.all([
      runBerth(['diff', '--config', STAGED, '--stage', 'qa']),
      runBerth(['cost', '--config', STAGED, '--stage', 'staging']),
    ]);
    for (const [i, run] of runs.entries()) {
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `berth: --stage ${['qa', 'staging'][i]}, but the config declares the stages dev, prod; pass --stage dev|prod\n`,
      );
    }
  });

  it('reports a problem only one stage has with its stage and path, exit 2', async () => {
    const file = configFile(small({ dev: {}, prod: { services: { web: { scaling: { min: 6 } } } } }));
    const run = await runBerth(['stages', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '  stages.prod.services.web.scaling.min: min (6) is above max (4); lower min or raise max',
    );
  });

  it('berth cost and berth diagram follow the stage', async () => {
    const cost = (stage: string) => runBerth(['cost', '--config', STAGED, '--stage', stage, '--json']);
    const [dev, prod, diagram] = await Promise.all([
      cost('dev'),
      cost('prod'),
      runBerth(['diagram', '--config', STAGED, '--stage', 'dev', '--format', 'mermaid']),
    ]);
    expect(diagram.code, diagram.stderr).toBe(0);
    expect(diagram.stdout).toContain('api.dev.cruddur.example.com');
    expect(diagram.stdout).toContain('namespace cruddur-dev');
    const estimate = (run: { stdout: string }) =>
      JSON.parse(run.stdout) as { stage: string; egress: string; monthlyUsd: number };
    expect(estimate(dev)).toMatchObject({ stage: 'dev', egress: 'nat-instance' });
    expect(estimate(prod)).toMatchObject({ stage: 'prod', egress: 'nat-gateway' });
    // prod runs two backend tasks of twice the size, behind a NAT gateway and a WAF.
    expect(estimate(prod).monthlyUsd).toBeGreaterThan(estimate(dev).monthlyUsd);
  });
});

describe('berth check with stages', () => {
  it('checks every declared stage, each under its own heading, and as JSON', async () => {
    // dev turns deletion protection off, which the reachability check does not mind: both pass.
    const file = configFile(small({ dev: { alb: { deletionProtection: false } }, prod: {} }));
    const [text, json] = await Promise.all([
      runBerth(['check', '--config', file, '--skip-lint']),
      runBerth(['check', '--config', file, '--skip-lint', '--json']),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^== stage dev \(account 123456789012, us-east-1\) ==\nChecks run: reachability/,
    );
    expect(text.stdout).toContain('\n== stage prod (account 123456789012, us-east-1) ==\n');
    expect(text.stdout).toMatch(/stage {2}result\n-+ {2}-+\ndev {4}passed\nprod {3}passed\n$/);
    const result = JSON.parse(json.stdout) as {
      passed: boolean;
      stages: { stage: string; passed: boolean }[];
    };
    expect(result.passed).toBe(true);
    expect(result.stages.map((s) => [s.stage, s.passed])).toEqual([
      ['dev', true],
      ['prod', true],
    ]);
  }, 60_000);
});
