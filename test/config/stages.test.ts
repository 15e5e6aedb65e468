import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadEveryStage,
  parseConfig,
  type BerthConfig,
  type ResolvedConfig,
} from '../../src/config/index.ts';
import { UsageError } from '../../src/shared/errors.ts';
import { cruddur } from '../fixtures.ts';

const FILE = path.resolve(import.meta.dirname, 'fixtures/stages.config.ts');

/** A small base config, and stages laid over it. */
function base(): BerthConfig {
  return {
    app: 'shop',
    env: { account: '123456789012', region: 'us-east-1' },
    domain: 'shop.example.com',
    hostedZone: { id: 'Z0123456789SHOP', name: 'shop.example.com' },
    network: { egress: 'nat-instance' },
    logs: { retentionDays: 1 },
    alb: { deletionProtection: true },
    services: {
      web: {
        image: { context: '.' },
        port: 3000,
        healthCheck: { path: '/' },
        route: { host: '@' },
        environment: { LOG_LEVEL: 'info', API: 'https://shop.example.com' },
        secrets: { DB: { ssm: '/shop/prod/DB' } },
        scaling: { min: 1, max: 4 },
      },
    },
  };
}

function resolve(
  stages: BerthConfig['stages'],
  stage?: string,
  extra: Partial<BerthConfig> = {},
): ResolvedConfig {
  return parseConfig({ ...base(), ...extra, stages }, '/tmp/shop/berth.config.ts', stage ? { stage } : {});
}

function problems(stages: unknown, extra: Record<string, unknown> = {}): string[] {
  try {
    parseConfig({ ...base(), ...extra, stages }, '/tmp/shop/berth.config.ts', { stage: 'dev' });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

const web = (config: ResolvedConfig) => config.services.find((s) => s.id === 'web')!;

describe('a stage overrides the base values, stage over base', () => {
  it('takes its own account and region, domain and hosted zone', () => {
    const dev = resolve(
      {
        dev: {
          env: { account: '111111111111', region: 'eu-west-1' },
          domain: 'dev.shop.example.org',
          hostedZone: { id: 'Z0123456789DEV', name: 'shop.example.org' },
        },
      },
      'dev',
    );
    expect(dev.env).toEqual({ account: '111111111111', region: 'eu-west-1' });
    expect(dev.domain).toBe('dev.shop.example.org');
    expect(dev.hostedZone).toEqual({ id: 'Z0123456789DEV', name: 'shop.example.org' });
    // The route's host follows the stage's domain.
    expect(web(dev).route?.host).toBe('dev.shop.example.org');
  });

  it('keeps the base account when it sets only the region', () => {
    expect(resolve({ dev: { env: { region: 'eu-west-1' } } }, 'dev').env).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
    });
  });

  it('overrides egress, log retention, WAF, deletion protection and allowed CIDRs', () => {
    const prod = resolve(
      {
        prod: {
          network: { egress: 'nat-gateway' },
          logs: { retentionDays: 365, securityRetentionDays: 400 },
          waf: { rateLimit: 500 },
          alb: { deletionProtection: false, allowedCidrs: ['203.0.113.0/24'] },
        },
      },
      'prod',
    );
    expect(prod.network).toEqual({ azs: 2, egress: 'nat-gateway', cidr: '10.0.0.0/16' });
    expect(prod.logs).toEqual({ retentionDays: 365, securityRetentionDays: 400 });
    expect(prod.waf).toEqual({ rateLimit: 500 });
    expect(prod.alb).toEqual({ deletionProtection: false, allowedCidrs: ['203.0.113.0/24'] });
  });

  it('turns WAF off in one stage that the base turns on', () => {
    expect(resolve({ dev: { waf: false } }, 'dev', { waf: true }).waf).toBe(false);
  });

  it("overrides a service's scaling key by key, Spot, cpu and memory", () => {
    const prod = resolve(
      {
        prod: {
          services: { web: { scaling: { max: 10, cpuTarget: 50 }, spot: 50, cpu: 512, memory: 2048 } },
        },
      },
      'prod',
    );
    // min comes from the base; max and cpuTarget from the stage.
    expect(web(prod).scaling).toMatchObject({ min: 1, max: 10, cpuTarget: 50, desired: 1 });
    expect(web(prod)).toMatchObject({ spot: 50, cpu: 512, memory: 2048 });
  });

  it('replaces environment values and secret references key by key, and may add keys', () => {
    const dev = resolve(
      {
        dev: {
          services: {
            web: {
              environment: { API: 'https://dev.shop.example.com', DEBUG: '1' },
              secrets: { DB: { ssm: '/shop/dev/DB' }, TOKEN: { secretsManager: 'shop/dev/token' } },
            },
          },
        },
      },
      'dev',
    );
    expect(web(dev).environment).toEqual({
      LOG_LEVEL: 'info',
      API: 'https://dev.shop.example.com',
      DEBUG: '1',
    });
    expect(web(dev).secrets).toEqual({
      DB: { kind: 'ssm', name: '/shop/dev/DB' },
      TOKEN: { kind: 'secretsManager', name: 'shop/dev/token' },
    });
  });

  it('leaves the base values to a stage that sets nothing, and to the other stages', () => {
    const stages = { dev: {}, prod: { network: { egress: 'nat-gateway' as const } } };
    const withoutStages = parseConfig(base(), '/tmp/shop/berth.config.ts', { stage: 'dev' });
    const dev = resolve(stages, 'dev');
    expect({ ...dev, stages: [] }).toEqual({ ...withoutStages, stages: [] });
    expect(resolve(stages, 'prod').network.egress).toBe('nat-gateway');
  });
});

describe('which stage a command acts on', () => {
  const stages = { dev: {}, prod: {} };

  it('is --stage, else defaultStage, else prod', () => {
    expect(resolve(stages, 'dev').stage).toBe('dev');
    expect(resolve(stages, undefined, { defaultStage: 'dev' }).stage).toBe('dev');
    expect(resolve(stages).stage).toBe('prod');
  });

  it('refuses a --stage the config does not declare as a usage error naming the declared ones', () => {
    expect(() => resolve(stages, 'qa')).toThrow(UsageError);
    expect(() => resolve(stages, 'qa')).toThrow(
      '--stage qa, but the config declares the stages dev, prod; pass --stage dev|prod',
    );
  });

  it('refuses to guess when no --stage is given and the default is not declared', () => {
    expect(() => resolve({ dev: {}, staging: {} })).toThrow(
      "no --stage given and 'prod' is the default, but the config declares the stages dev, staging; pass --stage dev|staging or set defaultStage",
    );
  });

  it('keeps a config without stages as before: any valid --stage, default prod, one stage listed', () => {
    const config = cruddur();
    expect(config.stage).toBe('prod');
    expect(config.stages).toEqual([
      {
        name: 'prod',
        account: '123456789012',
        region: 'us-east-1',
        domain: 'cruddur.example.com',
        production: true,
        overrides: [],
      },
    ]);
    expect(parseConfig(base(), '/tmp/shop/berth.config.ts', { stage: 'qa' }).stage).toBe('qa');
  });
});

describe('ResolvedConfig.stages', () => {
  it('lists every declared stage in the order written, with what it overrides and whether it is production', () => {
    const config = resolve(
      {
        dev: {
          env: { account: '111111111111' },
          domain: 'dev.shop.example.com',
          services: { web: { scaling: { min: 1, max: 2 }, environment: { LOG_LEVEL: 'debug' } } },
        },
        live: { production: true, network: { egress: 'nat-instance' }, waf: true },
        prod: { production: false },
      },
      'dev',
    );
    expect(config.stages).toEqual([
      {
        name: 'dev',
        account: '111111111111',
        region: 'us-east-1',
        domain: 'dev.shop.example.com',
        production: false,
        // scaling.min is the base's value: set, but not an override.
        overrides: [
          'env.account',
          'domain',
          'services.web.scaling.max',
          'services.web.environment.LOG_LEVEL',
        ],
      },
      {
        name: 'live',
        account: '123456789012',
        region: 'us-east-1',
        domain: 'shop.example.com',
        production: true,
        overrides: ['waf'],
      },
      {
        name: 'prod',
        account: '123456789012',
        region: 'us-east-1',
        domain: 'shop.example.com',
        production: false,
        overrides: [],
      },
    ]);
  });

  it('is the same list whichever stage was selected', async () => {
    const every = await loadEveryStage(FILE);
    expect(every.declared).toBe(true);
    expect(every.defaultStage).toBe('dev');
    expect(every.configs.map((c) => c.stage)).toEqual(['dev', 'prod']);
    expect(every.configs[1]!.stages).toEqual(every.configs[0]!.stages);
  });
});

describe('every declared stage is validated, and a problem names its stage and path', () => {
  it('reports a value the base field would refuse at the stage', () => {
    expect(
      problems({
        dev: {
          env: { account: '12' },
          logs: { retentionDays: 2 },
          services: { web: { scaling: { cpuTarget: 5 } } },
        },
      }),
    ).toEqual([
      'stages.dev.env.account: must be a 12-digit AWS account id',
      'stages.dev.logs.retentionDays: is not a CloudWatch retention period; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
      'stages.dev.services.web.scaling.cpuTarget: Too small: expected number to be >=10',
    ]);
  });

  it('reports a problem only the merged config has, in a stage that is not the one selected', () => {
    // min 6 is fine on its own, but above the base's max of 4; and a domain outside the base's zone.
    expect(
      problems({ dev: {}, prod: { domain: 'shop.example.org', services: { web: { scaling: { min: 6 } } } } }),
    ).toEqual([
      'stages.prod.services.web.scaling.min: min (6) is above max (4); lower min or raise max',
      'stages.prod.services.web.scaling.desired: desired (6) must lie between min (6) and max (4)',
      'stages.prod.hostedZone.name: shop.example.com does not contain shop.example.org',
    ]);
  });

  it('reports a base problem once, not once per stage', () => {
    const found = problems({ dev: {}, prod: {} }, { logs: { retentionDays: 2 } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^logs\.retentionDays: /);
  });

  it('refuses a stage that adds a service or changes what makes the topology', () => {
    expect(
      problems({
        dev: {
          app: 'other',
          network: { cidr: '10.1.0.0/16' },
          services: {
            web: { port: 8080, route: { host: 'www' }, image: { context: 'x' } },
            worker: { cpu: 256 },
          },
        },
      }),
    ).toEqual([
      'stages.dev.network.cidr: a stage cannot change network.cidr: it is the same in every stage; a stage overrides network.egress',
      "stages.dev.services.web.port: a stage cannot change a service's port: it is the same in every stage (set it under services); a stage overrides cpu, memory, scaling, spot, environment, secrets",
      "stages.dev.services.web.route: a stage cannot change a service's route: it is the same in every stage (set it under services); a stage overrides cpu, memory, scaling, spot, environment, secrets",
      "stages.dev.services.web.image: a stage cannot change a service's image: it is the same in every stage (set it under services); a stage overrides cpu, memory, scaling, spot, environment, secrets",
      'stages.dev.app: a stage cannot change app: it is the same in every stage; a stage overrides production, env, domain, hostedZone, network.egress, alb, logs, waf, services',
      "stages.dev.services.worker: 'worker' is not a service in this config, and a stage cannot add services (every stage runs the same ones); use one of web",
    ]);
  });

  it('refuses an empty stages object', () => {
    expect(problems({})).toEqual(['stages: declare at least one stage, or remove stages']);
  });

  it('refuses a stage name that cannot be part of AWS names, and a defaultStage that is not declared', () => {
    expect(problems({ Dev_1: {} }, { defaultStage: 'prod' })).toEqual([
      "stages.Dev_1: stage name must be 2-32 characters of a-z, 0-9 and '-', starting with a letter (it becomes part of AWS resource names)",
      "defaultStage: 'prod' is not a declared stage; use one of Dev_1",
    ]);
  });
});
