import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Runs the built Cruddur backend (4567) and frontend (3000) side by side until Ctrl-C.
 * `berth up` supersedes this with the full local topology; this stays the smallest way to see the app.
 */
const here = import.meta.dirname;
const services: { name: string; cwd: string; entry: string; env: Record<string, string> }[] = [
  {
    name: 'backend',
    cwd: path.join(here, 'backend'),
    entry: 'dist/server.js',
    env: { PORT: '4567', FRONTEND_URL: 'http://localhost:3000,http://127.0.0.1:3000' },
  },
  {
    name: 'frontend',
    cwd: path.join(here, 'frontend'),
    entry: 'dist-server/server.js',
    env: { PORT: '3000', BACKEND_URL: 'http://localhost:4567' },
  },
];

const children: ChildProcess[] = services.map((s) =>
  spawn(process.execPath, [s.entry], { cwd: s.cwd, env: { ...process.env, ...s.env }, stdio: 'inherit' }),
);
process.stdout.write('Cruddur: http://localhost:3000 (API http://localhost:4567). Ctrl-C stops.\n');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) {
  child.on('exit', (code) => {
    if (!stopping && code !== 0) {
      process.exitCode = 1;
      stop();
    }
  });
}
