import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'backend',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // The process and DynamoDB tests start real servers (node, moto); give them room on a busy machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
