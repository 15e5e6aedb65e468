import { describe, expect, it } from 'vitest';
import { configProblems, cruddur } from '../fixtures.ts';

describe('config validation', () => {
  it('accepts the reference config', () => {
    expect(configProblems(() => {})).toEqual([]);
  });

  it('names a CPU size that Fargate does not have, with the valid sizes', () => {
    expect(configProblems((c) => (c.services.backend.cpu = 300))).toEqual([
      'services.backend.cpu: 300 is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384',
    ]);
  });

  it('names a memory size that does not fit the CPU, with the sizes that do', () => {
    expect(configProblems((c) => Object.assign(c.services.frontend, { cpu: 256, memory: 4096 }))).toEqual([
      'services.frontend.memory: 4096 MiB does not fit 256 CPU units on Fargate; use one of 512, 1024, 2048',
    ]);
  });

  it('reports every problem at once, across services and top-level fields', () => {
    const found = configProblems((c) => {
      c.env.account = '12345';
      c.network.egress = 'nat-gw';
      c.logs.retentionDays = 2;
      c.services.backend.cpu = 300;
      c.services.frontend.extra = true;
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'env.account: must be a 12-digit AWS account id',
        expect.stringMatching(
          /^network\.egress: .*"nat-gateway"\|"nat-instance"\|"endpoints"\|"public-tasks"/,
        ),
        expect.stringMatching(
          /^logs\.retentionDays: is not a CloudWatch retention period; use one of 1, 3, 5/,
        ),
        expect.stringMatching(/^services\.backend\.cpu: 300 is not a Fargate size/),
        "services.frontend: unknown field 'extra'; remove it or check the spelling",
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it('refuses a permission on a table the config does not declare', () => {
    expect(configProblems((c) => (c.services.backend.permissions = [{ table: 'posts' }]))).toEqual([
      "services.backend.permissions.0.table: table 'posts' is not declared; add it under tables",
    ]);
  });

  it('refuses a call to a service the config does not have, naming the ones it has', () => {
    expect(configProblems((c) => (c.services.frontend.calls = ['backnd']))).toEqual([
      "services.frontend.calls.0: 'backnd' is not a service in this config; use one of backend or remove it",
    ]);
  });

  it('refuses a service that calls itself', () => {
    expect(configProblems((c) => (c.services.backend.calls = ['backend']))).toEqual([
      "services.backend.calls.0: backend calls itself; a service reaches its own tasks without Service Connect, remove 'backend'",
    ]);
  });

  it('declares no calls unless the config says so, and keeps the ones it says, once each', () => {
    expect(cruddur().services.map((s) => s.calls)).toEqual([[], []]);
    const calling = cruddur((c) => {
      c.services.frontend!.calls = ['backend', 'backend'];
      return c;
    });
    expect(calling.services.find((s) => s.id === 'frontend')!.calls).toEqual(['backend']);
  });

  it('refuses an image that is not pinned by digest', () => {
    expect(configProblems((c) => (c.services.backend.image = { ref: 'node:20' }))).toEqual([
      'services.backend.image.ref: must be pinned by digest, like registry/repo@sha256:<64 hex characters>',
    ]);
  });

  it('refuses scaling bounds that contradict each other', () => {
    expect(configProblems((c) => (c.services.backend.scaling = { min: 3, max: 2 }))).toEqual(
      expect.arrayContaining([
        'services.backend.scaling.min: min (3) is above max (2); lower min or raise max',
      ]),
    );
  });

  it('refuses two services on the same host', () => {
    expect(configProblems((c) => (c.services.frontend.route = { host: 'api' }))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^services\.(frontend|backend)\.route: routes the same host/),
      ]),
    );
  });

  it('needs a service on the apex name', () => {
    expect(configProblems((c) => (c.services.frontend.route = { host: 'www' }))).toEqual([
      "services: one service needs route { host: '@' } without paths: it answers the apex name (any other name gets the fixed 404)",
    ]);
  });

  it('refuses a secret that is also a plain variable', () => {
    expect(
      configProblems((c) => {
        c.services.backend.secrets = { DB_PASSWORD: { ssm: '/cruddur/backend/DB_PASSWORD' } };
        c.services.backend.environment = { DB_PASSWORD: 'hunter2' };
      }),
    ).toEqual([
      'services.backend.environment.DB_PASSWORD: DB_PASSWORD is also a secret; keep it in secrets only',
    ]);
  });

  it('refuses a hosted zone that does not hold the domain', () => {
    expect(configProblems((c) => (c.hostedZone.name = 'other.org'))).toEqual([
      'hostedZone.name: other.org does not contain cruddur.example.com',
    ]);
  });

  it('says which field is missing', () => {
    expect(configProblems((c) => delete c.services.backend.port)).toEqual([
      'services.backend.port: is required (number)',
    ]);
  });
});

describe('config defaults', () => {
  it('starts as many tasks as the minimum when desired is not given', () => {
    const config = cruddur((c) => {
      c.services.backend!.scaling = { min: 2, max: 4 };
      return c;
    });
    expect(config.services.find((s) => s.id === 'backend')!.scaling.desired).toBe(2);
  });

  it('applies the seed defaults in one place', () => {
    const config = cruddur((c) => ({ ...c, network: undefined, logs: undefined }));
    expect(config.network).toEqual({ azs: 2, egress: 'nat-instance', cidr: '10.0.0.0/16' });
    expect(config.logs).toEqual({ retentionDays: 1, securityRetentionDays: 90 });
    expect(config.exec).toBe(false);
    expect(config.waf).toBe(false);
    expect(config.alb.allowedCidrs).toEqual(['0.0.0.0/0']);
    const backend = config.services.find((s) => s.id === 'backend')!;
    expect(backend).toMatchObject({
      cpu: 256,
      memory: 512,
      user: 1000,
      architecture: 'arm64',
      route: { host: 'api.cruddur.example.com', label: 'api', paths: [] },
      healthCheck: {
        path: '/api/health-check',
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      scaling: { desired: 1, min: 1, max: 4, cpuTarget: 70, requestsPerTarget: 1000 },
      shutdownSeconds: 10,
      deregistrationDelaySeconds: 15,
      stopTimeoutSeconds: 15,
    });
  });
});

describe('security defaults (issue 12)', () => {
  it('gives a table permission without access the least: read', () => {
    const config = cruddur((c) => {
      c.services.backend!.permissions = [{ table: 'activities' }];
      return c;
    });
    expect(config.services.find((s) => s.id === 'backend')!.permissions).toEqual([
      { table: 'activities', access: 'read' },
    ]);
  });

  it('turns waf: true into a web ACL with the default per-IP rate limit, and takes a limit', () => {
    expect(cruddur((c) => ({ ...c, waf: true })).waf).toEqual({ rateLimit: 2000 });
    expect(cruddur((c) => ({ ...c, waf: { rateLimit: 300 } })).waf).toEqual({ rateLimit: 300 });
    expect(cruddur((c) => ({ ...c, waf: {} })).waf).toEqual({ rateLimit: 2000 });
  });

  it('refuses a security retention CloudWatch does not have, and a rate limit WAF does not take', () => {
    expect(configProblems((c) => (c.logs.securityRetentionDays = 100))).toEqual([
      expect.stringMatching(
        /^logs\.securityRetentionDays: is not a CloudWatch retention period; use one of 1, 3, /,
      ),
    ]);
    expect(configProblems((c) => (c.waf = { rateLimit: 5 }))).toEqual([expect.stringMatching(/^waf/)]);
  });
});

describe('config names and sizes that would break the stacks', () => {
  it('refuses a hosted zone that only ends with the same letters', () => {
    expect(
      configProblems((c) => {
        c.domain = 'evilexample.com';
        c.hostedZone.name = 'example.com';
      }),
    ).toEqual(['hostedZone.name: example.com does not contain evilexample.com']);
  });

  it('refuses a service named like one of berth’s own resources', () => {
    expect(
      configProblems((c) => (c.services.network = c.services.frontend) && delete c.services.frontend),
    ).toEqual(["services.network: 'network' is a name berth uses for its own resources; rename the service"]);
  });

  it('says what a service name must look like', () => {
    expect(
      configProblems((c) => (c.services.Web_Site = c.services.frontend) && delete c.services.frontend),
    ).toEqual([
      "services.Web_Site: service name must be 2-32 characters of a-z, 0-9 and '-', starting with a letter (it becomes part of AWS resource names)",
    ]);
  });

  it('refuses a VPC range too small for the subnets', () => {
    expect(configProblems((c) => (c.network.cidr = '10.0.0.0/28'))).toEqual([
      "network.cidr: /28 cannot hold berth's subnets (a /20 per AZ for tasks, a /24 per AZ for the load balancer); use a /16, /17 or /18",
    ]);
  });
});

describe('config errors that say the rule and the fix (issue 19)', () => {
  const NAME_RULE =
    "service name must be 2-32 characters of a-z, 0-9 and '-', starting with a letter (it becomes part of AWS resource names)";

  it.each(['Backend', 'b', 'bäckend'])('says what a service id must be, for %s', (id) => {
    expect(configProblems((c) => (c.services[id] = c.services.backend) && delete c.services.backend)).toEqual(
      [`services.${id}: ${NAME_RULE}`],
    );
  });

  it('says what a table name must be', () => {
    expect(configProblems((c) => (c.tables = { 'Bad Name!': {} }))).toEqual([
      "tables.Bad Name!: table name must be 2-32 characters of a-z, 0-9 and '-', starting with a letter (it becomes part of AWS resource names)",
    ]);
  });

  it('says what an environment variable or secret name must be', () => {
    const rule = "a variable name must be letters, digits and '_', not starting with a digit, e.g. DB_HOST";
    expect(
      configProblems((c) => {
        c.services.backend.environment = { 'BAD NAME': 'x' };
        c.services.backend.secrets = { '1ST': { ssm: '/cruddur/first' } };
      }),
    ).toEqual([`services.backend.environment.BAD NAME: ${rule}`, `services.backend.secrets.1ST: ${rule}`]);
  });

  it('says an image is built or referenced, not both', () => {
    expect(
      configProblems(
        (c) => (c.services.backend.image = { context: './backend', ref: `x@sha256:${'a'.repeat(64)}` }),
      ),
    ).toEqual([
      "services.backend.image: is either { context: './dir' } (berth builds the image; file, args and maxSizeMB may follow) or { ref: 'registry/repo@sha256:...' } (an existing image pinned by digest), not both",
    ]);
  });

  it('names the closest form of a value that fits none, instead of "Invalid input"', () => {
    expect(configProblems((c) => (c.services.backend.image = { context: 7 }))).toEqual([
      'services.backend.image.context: expected string, got number 7',
    ]);
  });

  it('says a secret is a reference and what one looks like, never echoing the value written', () => {
    for (const written of ['hunter2', { value: 'hunter2' }, 42]) {
      const found = configProblems((c) => (c.services.backend.secrets = { DB_PASSWORD: written }));
      expect(found).toEqual([
        "services.backend.secrets.DB_PASSWORD: a secret is a reference, never the value: { ssm: '/app/NAME' } (an SSM SecureString parameter name) or { secretsManager: 'app/name' } (a Secrets Manager secret name or complete ARN; field: 'key' picks one JSON key); store the value there and name it here",
      ]);
      expect(found.join('\n')).not.toContain('hunter2');
    }
  });

  it('takes a Secrets Manager secret by complete ARN, and says what an ARN must look like', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cruddur/api-key-AbCdEf';
    const config = cruddur((c) => {
      c.services.backend!.secrets = { API_KEY: { secretsManager: arn } };
      return c;
    });
    expect(config.services.find((s) => s.id === 'backend')!.secrets).toEqual({
      API_KEY: { kind: 'secretsManager', name: arn },
    });
    expect(
      configProblems(
        (c) => (c.services.backend.secrets = { API_KEY: { secretsManager: 'arn:aws:secretsmanager:x' } }),
      ),
    ).toEqual([
      'services.backend.secrets.API_KEY.secretsManager: must be a secret name or its complete ARN, like arn:aws:secretsmanager:us-east-1:123456789012:secret:app/name-AbCdEf',
    ]);
  });

  it('takes a domain in any case and with the root dot, as DNS does, with one problem for a bad one', () => {
    const config = cruddur((c) => ({
      ...c,
      domain: 'Cruddur.Example.COM.',
      hostedZone: { id: 'Z0123456789CRUDDUR', name: 'Example.com.' },
    }));
    expect(config.domain).toBe('cruddur.example.com');
    expect(config.hostedZone.name).toBe('example.com');
    expect(config.services.find((s) => s.id === 'backend')!.route!.host).toBe('api.cruddur.example.com');
    expect(configProblems((c) => (c.domain = 'cruddur_example.com'))).toEqual([
      'domain: must be a domain name such as example.com',
    ]);
  });

  it('refuses a domain longer than the certificate takes, instead of failing in synth', () => {
    expect(
      configProblems((c) => {
        c.domain = `${'a'.repeat(60)}.example.com`;
        c.hostedZone.name = 'example.com';
      }),
    ).toEqual(['domain: must be at most 64 characters: the TLS certificate (ACM) names it']);
  });

  it('refuses PORT in the environment: berth sets it from port', () => {
    expect(configProblems((c) => (c.services.backend.environment = { PORT: '9999' }))).toEqual([
      "services.backend.environment.PORT: berth sets PORT to the service's port (4567); remove it here and change port instead",
    ]);
  });

  it('accepts a "$schema" key, as editors write it, and ignores it', () => {
    expect(configProblems((c) => (c.$schema = './berth.schema.json'))).toEqual([]);
  });
});
