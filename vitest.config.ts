import { defineConfig } from 'vitest/config';

// One `vitest run` covers the tool and each workspace; each project keeps its own environment.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print its closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    projects: [
      {
        test: {
          name: 'berth',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      'examples/cruddur/backend',
      'examples/cruddur/frontend',
    ],
  },
});
