import { readFileSync } from 'node:fs';
import { UsageError } from '../shared/errors.ts';

/** The two platforms Fargate runs Linux tasks on, as OCI names them. */
export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export type Platform = (typeof PLATFORMS)[number];
/** A service's `architecture` in the config, as ECS's RuntimePlatform names it. */
export type Architecture = 'x86_64' | 'arm64';

/** The OCI architecture (`amd64`, `arm64`) of a platform. */
export function ociArchitecture(platform: Platform): 'amd64' | 'arm64' {
  return platform === 'linux/amd64' ? 'amd64' : 'arm64';
}

/** The platform a service's image is built for. */
export function platformOf(architecture: Architecture): Platform {
  return architecture === 'x86_64' ? 'linux/amd64' : 'linux/arm64';
}

/** The platform of this machine (what runs without emulation). */
export function hostPlatform(arch: string = process.arch): Platform {
  if (arch === 'x64') return 'linux/amd64';
  if (arch === 'arm64') return 'linux/arm64';
  throw new UsageError(
    `this machine is ${arch}; berth builds and runs images for linux/amd64 and linux/arm64 only`,
  );
}

/** `linux/amd64,linux/arm64` (a flag's value) as platforms, each once; a typo is a usage error naming the choices. */
export function parsePlatforms(value: string, flag = '--platform'): Platform[] {
  const out: Platform[] = [];
  for (const raw of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const platform = raw === 'amd64' || raw === 'arm64' ? `linux/${raw}` : raw;
    if (!(PLATFORMS as readonly string[]).includes(platform))
      throw new UsageError(`${flag} ${raw} is not a platform berth builds; use ${PLATFORMS.join(' or ')}`);
    if (!out.includes(platform as Platform)) out.push(platform as Platform);
  }
  if (out.length === 0) throw new UsageError(`${flag} is empty; use ${PLATFORMS.join(', ')} or both`);
  return out;
}

/** ELF e_machine values of the two platforms, for telling what a binary really runs on. */
export const ELF_MACHINES: Readonly<Record<number, string>> = {
  0x3e: 'amd64',
  0xb7: 'arm64',
  0x03: '386',
  0x28: 'arm',
};

/** qemu's names for the CPUs, as binfmt_misc registers them (`qemu-aarch64`). */
const QEMU_CPU: Readonly<Record<Platform, string>> = { 'linux/amd64': 'x86_64', 'linux/arm64': 'aarch64' };

/**
 * Another platform's binaries run here only through emulation: qemu-user-static registered with
 * binfmt_misc (with the F flag, so that containers use it too). Says how to set it up when it is not.
 */
export function requireEmulation(
  platform: Platform,
  binfmtDir = '/proc/sys/fs/binfmt_misc',
  os: NodeJS.Platform = process.platform,
): void {
  // Elsewhere the engine runs in a Linux VM of its own (Docker Desktop, podman machine), which has it.
  if (platform === hostPlatform() || os !== 'linux') return;
  const cpu = QEMU_CPU[platform];
  let state = '';
  try {
    state = readFileSync(`${binfmtDir}/qemu-${cpu}`, 'utf8');
  } catch {
    // Not registered, or binfmt_misc not mounted.
  }
  if (!/^enabled$/m.test(state))
    throw new UsageError(
      `${platform} images cannot be built or run on this ${hostPlatform()} machine without emulation; as root: apt-get install -y qemu-user-static binfmt-support && mount -t binfmt_misc binfmt_misc ${binfmtDir} ; update-binfmts --enable qemu-${cpu}`,
    );
}

/** This machine's CPU as a service's `architecture` names it. */
export function hostArchitecture(): Architecture {
  return hostPlatform() === 'linux/amd64' ? 'x86_64' : 'arm64';
}
