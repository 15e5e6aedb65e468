import type { BerthConfig } from '../../src/config/index.ts';

/** Three services, the backend calling admin; endpoints egress, three AZs, WAF, exec and both kinds of secret. */
export const threeServices = (c: BerthConfig): BerthConfig => ({
  ...c,
  waf: true,
  exec: true,
  network: { azs: 3, egress: 'endpoints' },
  services: {
    ...c.services,
    backend: {
      ...c.services.backend!,
      secrets: {
        DB_PASSWORD: { ssm: '/cruddur/backend/DB_PASSWORD' },
        API_KEY: { secretsManager: 'cruddur/api-key' },
      },
      calls: ['admin'],
    },
    admin: {
      image: { context: './backend' },
      port: 8080,
      cpu: 512,
      memory: 1024,
      architecture: 'arm64',
      healthCheck: { path: '/health' },
      route: { host: 'admin', paths: ['/admin/*'] },
      permissions: [{ table: 'activities', access: 'read' }],
      scaling: { min: 2, max: 4 },
    },
  },
});
