import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/images/run.ts';
import { makeCertificates } from './tls.ts';

/** moto's ECR answers GetAuthorizationToken with this account's registry and this password. */
export const ECR_HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
export const ECR_USER = 'AWS';
export const ECR_PASSWORD = '123456789012-auth-token';

export interface EcrRegistry {
  readonly host: string;
  /** The manifest the registry holds under `repo:tag`, as pushed. */
  readonly manifest: (repository: string, tag: string) => Promise<string>;
  /** Stops the registry and removes the hosts line and the CA it added. */
  readonly stop: () => Promise<void>;
}

const HOSTS = '/etc/hosts';
const LOCK_DIR = path.join(os.tmpdir(), 'berth-ecr-registry.lock');

/** Waits for a machine-wide lock (a folder holding its owner's pid); a dead owner's lock is taken over. */
async function takeMachineLock(dir: string, timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(path.join(dir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
    if (owner > 0 && !isLive(owner)) rmSync(dir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`${dir} is held by pid ${owner || '(starting)'}`);
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A pid that runs and is not a zombie (this machine's PID 1 may reap late). */
function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/**
 * Debian's docker-registry standing in for ECR's registry endpoint, which moto does not serve:
 * TLS from a local CA for the ECR host name on 127.0.0.1:443 (an /etc/hosts line points the name
 * here), htpasswd auth with the user and password moto's GetAuthorizationToken hands out, and the
 * CA in /etc/containers/certs.d so skopeo trusts it. Everything it adds is removed by stop().
 */
export async function startEcrRegistry(): Promise<EcrRegistry> {
  // One ECR host name and one port 443 per machine: test files (and other checkouts' test runs) that
  // need the stand-in take turns.
  const releaseLock = await takeMachineLock(LOCK_DIR, 110_000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-ecr-registry-'));
  const certs = await makeCertificates([ECR_HOST]);
  const certsDir = `/etc/containers/certs.d/${ECR_HOST}`;
  const hostsLine = `127.0.0.1 ${ECR_HOST} # berth test ${process.pid}`;
  const cleanups: (() => void)[] = [
    releaseLock,
    () => certs.remove(),
    () => rmSync(work, { recursive: true, force: true }),
  ];
  const cleanup = () => {
    for (const c of cleanups.reverse()) c();
  };
  try {
    const { stdout: htpasswd } = await run('htpasswd', ['-Bbn', ECR_USER, ECR_PASSWORD]);
    writeFileSync(path.join(work, 'htpasswd'), htpasswd);
    writeFileSync(
      path.join(work, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${path.join(work, 'storage')}`,
        'auth:',
        '  htpasswd:',
        '    realm: ecr',
        `    path: ${path.join(work, 'htpasswd')}`,
        'http:',
        '  addr: 127.0.0.1:443',
        '  tls:',
        `    certificate: ${certs.certFile}`,
        `    key: ${certs.keyFile}`,
        '',
      ].join('\n'),
    );
    if (existsSync(certsDir))
      throw new Error(`${certsDir} exists already; another test run owns the ECR host`);
    mkdirSync(certsDir, { recursive: true });
    cleanups.push(() => rmSync(certsDir, { recursive: true, force: true }));
    writeFileSync(path.join(certsDir, 'ca.crt'), certs.ca);
    writeFileSync(HOSTS, `${readFileSync(HOSTS, 'utf8').replace(/\n?$/, '\n')}${hostsLine}\n`);
    cleanups.push(() =>
      writeFileSync(
        HOSTS,
        readFileSync(HOSTS, 'utf8')
          .split('\n')
          .filter((line) => line !== hostsLine)
          .join('\n'),
      ),
    );
  } catch (error) {
    cleanup();
    throw error;
  }
  const child = spawn('docker-registry', ['serve', path.join(work, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    cleanup();
  };
  const auth = `Basic ${Buffer.from(`${ECR_USER}:${ECR_PASSWORD}`).toString('base64')}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited: ${stderr}`);
    }
    try {
      await run('curl', [
        '-sf',
        '--cacert',
        certs.caFile,
        '-H',
        `Authorization: ${auth}`,
        `https://${ECR_HOST}/v2/`,
      ]);
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the ECR stand-in did not answer on ${ECR_HOST}:443: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    host: ECR_HOST,
    manifest: pushedManifest,
    stop,
  };
}

/** The manifest the ECR stand-in holds under `repository:tag`, exactly as pushed. */
export async function pushedManifest(repository: string, tag: string): Promise<string> {
  const { stdout } = await run('skopeo', [
    'inspect',
    '--raw',
    '--creds',
    `${ECR_USER}:${ECR_PASSWORD}`,
    `docker://${ECR_HOST}/${repository}:${tag}`,
  ]);
  return stdout;
}
