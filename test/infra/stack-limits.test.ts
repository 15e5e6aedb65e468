import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import reference from '../../examples/cruddur/berth.config.ts';
import { parseConfig, type BerthConfig, type ResolvedConfig } from '../../src/config/index.ts';
import { synth } from '../../src/infra/index.ts';
import { estimateStackSizes, STACK_LIMITS, type StackSize } from '../../src/infra/stack-limits.ts';
import { configProblems, REFERENCE_FILE } from '../fixtures.ts';
import { runBerth } from '../support/berth-cli.ts';

const DIGEST = `registry.example.com/x@sha256:${'a'.repeat(64)}`;

/**
 * `n` services like the reference's: the first on the apex, the others on their own host; each
 * calls the ones before it when `calls` (every pair of services connected once).
 */
function manyServices(n: number, options: { calls?: boolean; routed?: boolean } = {}) {
  const services: Record<string, BerthConfig['services'][string]> = {};
  for (let i = 0; i < n; i++) {
    const id = i === 0 ? 'frontend' : i === 1 ? 'backend' : `service-${i}`;
    services[id] = {
      image: { context: i === 0 ? './frontend' : './backend' },
      port: 3000 + i,
      healthCheck: { path: '/' },
      ...(options.routed === false && i > 0 ? {} : { route: { host: i === 0 ? '@' : `s${i}` } }),
      ...(options.calls ? { calls: Object.keys(services) } : {}),
    };
  }
  return services;
}

function variant(change: (c: any) => void): ResolvedConfig {
  const raw = structuredClone(reference) as any;
  change(raw);
  return parseConfig(raw, REFERENCE_FILE);
}

const VARIANTS: Record<string, (c: any) => void> = {
  reference: () => {},
  '1 service': (c) => (c.services = manyServices(1)),
  '2 services': (c) => (c.services = manyServices(2)),
  '8 services': (c) => (c.services = manyServices(8)),
  '8 services, 7 internal': (c) => (c.services = manyServices(8, { routed: false })),
  '8 services, every pair calling': (c) => (c.services = manyServices(8, { calls: true })),
  '16 services': (c) => (c.services = manyServices(16)),
  'no tables': (c) => {
    delete c.tables;
    delete c.services.backend.permissions;
  },
  '3 tables': (c) => (c.tables = { activities: {}, users: {}, messages: {} }),
  waf: (c) => (c.waf = { rateLimit: 500 }),
  exec: (c) => (c.exec = true),
  guardDuty: (c) => (c.guardDuty = true),
  'nat-gateway, 3 AZs': (c) => (c.network = { egress: 'nat-gateway', azs: 3 }),
  'nat-instance, 3 AZs': (c) => (c.network = { egress: 'nat-instance', azs: 3 }),
  'endpoints with secrets, exec and GuardDuty': (c) => {
    c.network = { egress: 'endpoints' };
    c.exec = true;
    c.guardDuty = true;
    c.services.backend.secrets = { DB: { ssm: '/cruddur/db' }, KEY: { secretsManager: 'cruddur/key' } };
  },
  'endpoints, 3 AZs, no tables': (c) => {
    c.network = { egress: 'endpoints', azs: 3 };
    delete c.tables;
    delete c.services.backend.permissions;
  },
  'public-tasks': (c) => (c.network = { egress: 'public-tasks' }),
  'an image by reference': (c) => (c.services.backend.image = { ref: DIGEST }),
  'two routes on one host': (c) => (c.services.backend.route = { host: '@', paths: ['/api/*'] }),
  'blue-green for both, alarms named': (c) => {
    c.services.backend.release = { strategy: 'blue-green', alarms: { names: ['cruddur-5xx'] } };
    c.services.frontend.release = { strategy: 'linear' };
  },
  '8 services, 3 canary, with paths': (c) => {
    c.services = manyServices(8);
    for (const id of ['service-2', 'service-3', 'service-4']) c.services[id].release = { strategy: 'canary' };
    c.services.backend.route = { host: '@', paths: ['/api/*'] };
  },
  '12 routed names (two certificates), blue-green': (c) => {
    c.services = manyServices(12);
    c.services['service-5'].release = { strategy: 'blue-green' };
  },
  '23 routed names (three certificates), blue-green': (c) => {
    c.services = manyServices(23);
    c.services['service-5'].release = { strategy: 'blue-green' };
  },
  'release strategies': (c) => {
    c.services.backend.release = { strategy: 'blue-green' };
    c.services.frontend.release = { strategy: 'canary', verify: [{ path: '/' }] };
  },
  'a large environment': (c) =>
    (c.services.backend.environment = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`SETTING_${i}`, 'v'.repeat(200)]),
    )),
  'long names': (c) => {
    c.app = 'a-very-long-application-name-32c';
    c.services = manyServices(4);
    c.services['a-service-with-a-32-character-id'] = c.services['service-3'];
    delete c.services['service-3'];
  },
};

function measured(file: string): StackSize {
  const text = readFileSync(file, 'utf8');
  const template = JSON.parse(text);
  return {
    resources: Object.keys(template.Resources ?? {}).length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    templateBytes: Buffer.byteLength(text),
  };
}

describe('the stack size model against the synthesized templates', () => {
  it.each(Object.keys(VARIANTS))(
    '%s: counts resources, outputs and parameters exactly, and bounds the template size',
    (name) => {
      const config = variant(VARIANTS[name]!);
      const estimate = estimateStackSizes(config);
      const result = synth(config, { validate: false });
      try {
        for (const [stack, estimated] of [
          [result.registryStack.stackName, estimate.registry],
          [result.appStack.stackName, estimate.app],
        ] as const) {
          const real = measured(result.templates[stack]!);
          const { templateBytes, ...counts } = estimated;
          const { templateBytes: realBytes, ...realCounts } = real;
          expect(counts, stack).toEqual(realCounts);
          // An upper bound that stays useful: above the real size, and not far above it.
          expect(templateBytes, stack).toBeGreaterThanOrEqual(realBytes);
          expect(templateBytes, stack).toBeLessThanOrEqual(realBytes * 1.5);
        }
      } finally {
        rmSync(result.outdir, { recursive: true, force: true });
      }
    },
  );
});

describe('a config over a CloudFormation limit', () => {
  it('refuses 16 services that all call each other (the issue 19 case): the count, the limit and the fix', () => {
    expect(configProblems((c) => (c.services = manyServices(16, { calls: true })))).toEqual([
      "services: 16 services make stack CruddurProd 546 resources (240 of them for 120 declared calls), over CloudFormation's limit of 500 per stack; split the services into two apps (two configs with their own `app` names, hence their own stacks), or declare fewer services, routes or calls",
    ]);
  });

  it('takes as many routed services as fit in 500 resources, and refuses one more', () => {
    const fits = variant((c) => (c.services = manyServices(28)));
    expect(estimateStackSizes(fits).app.resources).toBeLessThanOrEqual(STACK_LIMITS.resources);
    expect(configProblems((c) => (c.services = manyServices(28)))).toEqual([]);
    expect(configProblems((c) => (c.services = manyServices(29)))).toEqual([
      expect.stringMatching(
        /^services: 29 services make stack CruddurProd 5\d\d resources, over CloudFormation's limit of 500/,
      ),
    ]);
  });

  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('is a config error for berth check (exit 2, one problem), found before anything is synthesized', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'berth-limits-'));
    folders.push(folder);
    for (const dir of ['frontend', 'backend']) {
      mkdirSync(path.join(folder, dir));
      writeFileSync(path.join(folder, dir, 'Containerfile'), 'FROM scratch\n');
    }
    const raw = { ...structuredClone(reference), services: manyServices(16, { calls: true }) };
    writeFileSync(path.join(folder, 'berth.config.json'), JSON.stringify(raw));
    const run = await runBerth(['check', '--config', 'berth.config.json'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "546 resources (240 of them for 120 declared calls), over CloudFormation's limit of 500 per stack",
    );
    expect(run.stdout).toBe('');
  });
});
