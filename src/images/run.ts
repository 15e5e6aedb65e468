import { spawn } from 'node:child_process';
import { ToolFailedError, ToolMissingError } from './errors.ts';

/** How to install each external tool on Debian; named in the error when it is missing. */
const INSTALL_HINTS: Readonly<Record<string, string>> = {
  podman:
    'install it (Debian: sh .ci/setup-podman.sh, or apt-get install -y podman runc) or use --engine docker',
  docker: 'install Docker or use --engine podman',
  skopeo: 'install it (Debian: apt-get install -y skopeo)',
  'docker-registry': 'install it (Debian: apt-get install -y docker-registry)',
  ldd: 'install it (Debian: apt-get install -y libc-bin)',
};

export interface RunOptions {
  /** Written to the child's stdin. */
  readonly input?: string | Buffer;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Ends the tool when aborted (a build while `berth up` is stopped). */
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool to completion; rejects with `ToolMissingError` or `ToolFailedError`, never prints. */
export function run(tool: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(new ToolMissingError(tool, INSTALL_HINTS[tool] ?? `install ${tool}`, { cause: error }));
      } else reject(error);
    });
    child.once('close', (code) => {
      const result = { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (code === 0) resolve(result);
      else
        reject(new ToolFailedError(`${tool} ${args[0] ?? ''}`.trim(), code, result.stderr || result.stdout));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  });
}

/** True when `host` (with or without a port) is on this machine: registries there speak plain HTTP, as Docker assumes. */
export function isLoopbackRegistry(reference: string): boolean {
  const host = reference.replace(/^[a-z-]+:\/\//, '').split('/')[0] ?? '';
  return /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/.test(host);
}
