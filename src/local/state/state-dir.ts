import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { STATE_DIR_NAME } from '../../config/config-file.ts';

/** Every file `berth up` keeps, in one place. */
export interface StatePaths {
  readonly dir: string;
  readonly supervisor: string;
  readonly supervisorLog: string;
  readonly logs: string;
  readonly secrets: string;
  readonly environment: string;
  readonly caKey: string;
  readonly caCert: string;
  readonly edgeKey: string;
  readonly edgeCert: string;
}

export function statePaths(baseDir: string): StatePaths {
  const dir = path.join(baseDir, STATE_DIR_NAME);
  return {
    dir,
    supervisor: path.join(dir, 'supervisor.json'),
    supervisorLog: path.join(dir, 'supervisor.log'),
    logs: path.join(dir, 'logs'),
    secrets: path.join(dir, 'secrets.local.json'),
    environment: path.join(dir, 'environment.local.json'),
    caKey: path.join(dir, 'ca.key'),
    caCert: path.join(dir, 'ca.crt'),
    edgeKey: path.join(dir, 'edge.key'),
    edgeCert: path.join(dir, 'edge.crt'),
  };
}

/** Creates the folder with its own .gitignore, so its keys and secrets stay out of git in any repository. */
export function ensureStateDir(paths: StatePaths): void {
  mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  const ignore = path.join(paths.dir, '.gitignore');
  if (!existsSync(ignore))
    writeFileSync(ignore, '# berth up: local keys, secrets and logs; never commit\n*\n');
}
