import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One `vitest run` covers the tool and each workspace; each project keeps its own environment.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print its closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    projects: [
      {
        // Configs that `import ... from 'berth'` (examples/cruddur) get berth's source, not dist/:
        // through vite here, through Node (tsx's loadConfig) with the condition below.
        resolve: {
          alias: [
            { find: /^berth$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
          ],
        },
        test: {
          name: 'berth',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          execArgv: ['--conditions=berth-source'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      'examples/cruddur/backend',
      'examples/cruddur/frontend',
    ],
  },
});
