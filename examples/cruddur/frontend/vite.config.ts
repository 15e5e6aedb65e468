import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

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

export default defineConfig({
  plugins: [react(), devRuntimeConfig()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
