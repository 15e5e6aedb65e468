import { defineConfig } from 'berth';

/**
 * The reference deployment: Cruddur as the seed built it by hand, described once.
 * `berth synth` turns this into CloudFormation; `berth up` runs it on this machine.
 */
export default defineConfig({
  app: 'cruddur',
  env: { account: '123456789012', region: 'us-east-1' },
  domain: 'cruddur.example.com',
  hostedZone: { id: 'Z0123456789CRUDDUR', name: 'cruddur.example.com' },
  network: { azs: 2, egress: 'nat-instance' },
  logs: { retentionDays: 1 },
  // No ECS Exec (the default): neither image has a shell, so a session could only start the
  // app's own binaries, and nothing here needs one. See docs/compliance.md.
  tables: { activities: {} },
  services: {
    frontend: {
      image: { context: './frontend', file: 'Containerfile', maxSizeMB: 25 },
      port: 3000,
      healthCheck: { path: '/', command: ['/app/healthcheck'] },
      route: { host: '@' },
      // Its server only serves the page; the page calls api.<domain> through the ALB, not over Service Connect.
      calls: [],
      local: { command: ['node', 'dist-server/server.js'] },
    },
    backend: {
      // Node.js 24 alone is 40 MB compressed (stripped; full ICU).
      image: { context: './backend', file: 'Containerfile', maxSizeMB: 50 },
      port: 4567,
      healthCheck: { path: '/api/health-check', command: ['node', 'dist/healthcheck.js'] },
      route: { host: 'api' },
      // The browser calls the API from the frontend's origin; `berth up` points it at the local edge.
      environment: { NODE_ENV: 'production', FRONTEND_URL: 'https://cruddur.example.com' },
      permissions: [{ table: 'activities', access: 'readwrite' }],
      calls: [],
      scaling: { min: 1, max: 4 },
      local: { command: ['node', 'dist/server.js'] },
    },
  },
});
