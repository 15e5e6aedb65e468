import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

import { bundleLock } from '../bundle-lock.mjs';

// In production the frontend server answers /config.json from its environment. The dev server
// does the same here, so `vite` behaves like the real thing and nothing is baked into the build.
function devRuntimeConfig(): Plugin {
  return {
    name: 'cruddur-dev-runtime-config',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/config.json', (_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Cache-Control', 'no-cache');
        res.end(JSON.stringify({ backendUrl: process.env.BACKEND_URL ?? 'http://localhost:4567' }));
      });
    },
  };
}

/**
 * The SPA bundles React and friends into dist/assets, where no SBOM tool sees them. This writes
 * dist-packages/package-lock.json naming every npm package with code in the bundle (versions,
 * licenses, integrity from the workspace lockfile); the image carries it beside the app, outside
 * the served folder, and `berth check --images` lists them in the image's SBOM.
 */
function bundledPackagesLock(): Plugin {
  let root = process.cwd();
  return {
    name: 'cruddur-bundled-packages-lock',
    apply: 'build',
    configResolved(config) {
      root = config.root;
    },
    writeBundle(_options, bundle) {
      const inputs = new Set<string>();
      for (const output of Object.values(bundle))
        if (output.type === 'chunk')
          for (const [id, module] of Object.entries(output.modules))
            if (module.renderedLength > 0 && !id.startsWith('\0')) inputs.add(id.split('?')[0]!);
      const dir = path.join(root, 'dist-packages');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'package-lock.json'),
        `${JSON.stringify(bundleLock(root, inputs), null, 2)}\n`,
      );
    },
  };
}

export default defineConfig({
  plugins: [react(), devRuntimeConfig(), bundledPackagesLock()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
