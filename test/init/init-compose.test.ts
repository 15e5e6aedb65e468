import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { initProject, type InitResult } from '../../src/init/index.ts';
import { project } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function init(files: Record<string, string>, from = 'compose.yaml') {
  const dir = project(files);
  dirs.push(dir);
  const result = await initProject({ dir, from });
  // The file berth init wrote, loaded and validated the way berth up loads it.
  const config = await loadConfig(path.join(dir, 'berth.config.ts'));
  const service = (id: string) => {
    const found = config.services.find((s) => s.id === id);
    if (!found) throw new Error(`no service ${id} in ${config.services.map((s) => s.id).join(', ')}`);
    return found;
  };
  return { dir, result, config, service, text: readFileSync(path.join(dir, 'berth.config.ts'), 'utf8') };
}

const line = (result: InitResult, key: string) => result.report.find((r) => r.key === key);

describe('berth init --from compose.yaml', () => {
  it('maps a frontend, an API and a database: two services, the database named as a managed AWS service', async () => {
    const { result, config, service } = await init({
      'web/Dockerfile': 'FROM nginx\nEXPOSE 8080\n',
      'api/Dockerfile': 'FROM node:20\n',
      'compose.yaml': `name: shop
services:
  web:
    build: ./web
    ports: ["80:8080"]
  api:
    build: ./api
    ports: ["3001:3000"]
    depends_on: [db]
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example
`,
    });
    expect(config.app).toBe('shop');
    expect(config.services.map((s) => s.id).sort()).toEqual(['api', 'web']);
    expect(service('web')).toMatchObject({ port: 8080, route: { label: '@' } });
    expect(service('api')).toMatchObject({ port: 3000, route: { label: 'api' } });
    expect(line(result, 'services.db.image')).toMatchObject({ kind: 'database' });
    expect(line(result, 'services.db.image')!.message).toContain('Amazon RDS for PostgreSQL');
    expect(line(result, 'services.web.ports')!.message).toContain('published 80 is not needed');
    expect(line(result, 'services.api.depends_on')!.message).toContain('db');
  });

  it('carries build args and env_file over, and turns secret-looking values into SSM references with local placeholders', async () => {
    const { dir, result, config, service, text } = await init({
      'api/Containerfile': 'FROM node:20\nEXPOSE 4000\n',
      'api.env': 'LOG_LEVEL=debug\nSTRIPE_SECRET_KEY=sk_live_abc123\n',
      'compose.yaml': `services:
  api:
    build:
      context: ./api
      args:
        NODE_VERSION: "20"
    env_file: api.env
    environment:
      - DATABASE_URL=postgres://app:hunter2@db/app
      - FEATURE_FLAGS=beta
`,
    });
    const api = service('api');
    expect(api.image).toMatchObject({
      kind: 'build',
      context: path.join(dir, 'api'),
      file: 'Containerfile',
      args: { NODE_VERSION: '20' },
    });
    expect(api.port).toBe(4000);
    expect(api.environment).toEqual({ LOG_LEVEL: 'debug', FEATURE_FLAGS: 'beta' });
    expect(api.secrets).toEqual({
      STRIPE_SECRET_KEY: { kind: 'ssm', name: `/${config.app}/api/STRIPE_SECRET_KEY` },
      DATABASE_URL: { kind: 'ssm', name: `/${config.app}/api/DATABASE_URL` },
    });
    // The values never reach the config, and the local secrets file holds placeholders for them.
    expect(text).not.toContain('sk_live_abc123');
    expect(text).not.toContain('hunter2');
    const local = JSON.parse(readFileSync(path.join(dir, '.berth/secrets.local.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(Object.keys(local)).toEqual([
      `/${config.app}/api/STRIPE_SECRET_KEY`,
      `/${config.app}/api/DATABASE_URL`,
    ]);
    expect(Object.values(local).join()).not.toMatch(/sk_live|hunter2/);
    expect(line(result, 'services.api.env_file (api.env)')!.message).toContain(
      'STRIPE_SECRET_KEY looks like a secret',
    );
  });

  it('turns shell-form curl and wget health checks into a path, keeps exec form, and reports what it cannot read', async () => {
    const { result, service } = await init({
      'alpha/Dockerfile': 'FROM x\n',
      'bravo/Dockerfile': 'FROM x\n',
      'charlie/Dockerfile': 'FROM x\n',
      'delta/Dockerfile': 'FROM x\n',
      'compose.yaml': `services:
  alpha:
    build: ./alpha
    ports: ["3000"]
    healthcheck:
      test: ["CMD-SHELL", "curl -fsS http://localhost:3000/api/health-check || exit 1"]
      interval: 1m
      timeout: 10s
      retries: 5
  bravo:
    build: ./bravo
    ports: ["3001"]
    healthcheck:
      test: wget --spider -q http://127.0.0.1:3001/healthz
  charlie:
    build: ./charlie
    ports: ["3002"]
    healthcheck:
      test: ["CMD", "node", "healthcheck.js"]
  delta:
    build: ./delta
    ports: ["3003"]
    healthcheck:
      test: ["CMD-SHELL", "curl -f https://status.example.com/ping"]
`,
    });
    expect(service('alpha').healthCheck).toMatchObject({
      path: '/api/health-check',
      interval: 60,
      timeout: 10,
      unhealthyThreshold: 5,
    });
    expect(service('alpha').healthCheck.command).toBeUndefined();
    expect(line(result, 'services.alpha.healthcheck.test')!.message).toContain(
      'shell-form curl check turned into healthCheck.path /api/health-check',
    );
    expect(service('bravo').healthCheck.path).toBe('/healthz');
    expect(service('charlie').healthCheck).toMatchObject({ path: '/', command: ['node', 'healthcheck.js'] });
    expect(line(result, 'services.charlie.healthcheck.test')).toMatchObject({ kind: 'mapped' });
    expect(line(result, 'services.delta.healthcheck.test')).toMatchObject({ kind: 'not-mapped' });
    expect(line(result, 'services.delta.healthcheck.test')!.message).toContain('names no local URL');
  });

  it('reports every key it does not carry over, extension fields and unsupported ones alike', async () => {
    const { result, service } = await init({
      'svc/Dockerfile': 'FROM x\n',
      'compose.yaml': `version: "3.9"
x-defaults: &defaults
  restart: always
services:
  worker_one:
    <<: *defaults
    build:
      context: ./svc
      target: prod
      cache_from: [busybox]
    ports: ["8000:8000", "9229:9229"]
    volumes: ["./svc:/app"]
    networks: [back]
    privileged: true
    cap_add: [NET_ADMIN]
    user: node
    read_only: false
    entrypoint: ["/bin/sh", "-c"]
    command: npm run serve
    deploy:
      replicas: 3
      resources:
        limits: { cpus: "1.5", memory: 3g }
      restart_policy: { condition: on-failure }
    x-owner: team-a
networks:
  back: {}
`,
    });
    const svc = service('worker-one');
    expect(svc).toMatchObject({
      port: 8000,
      cpu: 2048,
      memory: 4096,
      scaling: { min: 3, desired: 3, max: 4 },
    });
    const notMapped = result.report.filter((r) => r.kind === 'not-mapped').map((r) => r.key);
    expect(notMapped).toEqual(
      expect.arrayContaining([
        'version',
        'x-defaults',
        'networks',
        'services.worker_one.restart',
        'services.worker_one.build.target',
        'services.worker_one.build.cache_from',
        'services.worker_one.ports.1',
        'services.worker_one.volumes',
        'services.worker_one.networks',
        'services.worker_one.privileged',
        'services.worker_one.cap_add',
        'services.worker_one.user',
        'services.worker_one.read_only',
        'services.worker_one.entrypoint',
        'services.worker_one.command',
        'services.worker_one.deploy.restart_policy',
        'services.worker_one.x-owner',
      ]),
    );
    // Each line says why, not only what.
    for (const r of result.report) expect(r.message.length).toBeGreaterThan(15);
    expect(line(result, 'services.worker_one.privileged')!.message).toContain(
      'Fargate never runs privileged',
    );
  });

  it('says when two services listen on the same port, which only the process engine minds', async () => {
    const { result, service } = await init({
      'web/Dockerfile': 'FROM x\n',
      'api/Dockerfile': 'FROM x\n',
      'compose.yaml':
        'services:\n  web:\n    build: ./web\n    ports: ["3000"]\n  api:\n    build: ./api\n    ports: ["3000"]\n',
    });
    expect([service('web').port, service('api').port]).toEqual([3000, 3000]);
    expect(line(result, 'services.api.port')!.message).toContain('--discovery-ports free');
  });
});
