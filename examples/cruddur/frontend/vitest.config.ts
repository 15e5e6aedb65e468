import { defineProject, mergeConfig } from 'vitest/config';

import viteConfig from './vite.config.ts';

export default mergeConfig(
  viteConfig,
  defineProject({
    test: {
      name: 'frontend',
      include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
      // Component tests need a DOM; server tests opt into `node` with a docblock.
      environment: 'jsdom',
      setupFiles: ['./test/setup.ts'],
      testTimeout: 30_000,
    },
  }),
);
