import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ECRClientConfig } from '@aws-sdk/client-ecr';
import { BerthError } from '../shared/errors.ts';

/** A registry login: what podman, docker and skopeo read from an auth file. */
export interface RegistryCredentials {
  /** Registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  readonly registry: string;
  readonly username: string;
  readonly password: string;
}

/** How berth gets ECR's login for a registry host in a region (tests point it at moto). */
export type EcrCredentialsSource = (registry: string, region: string) => Promise<RegistryCredentials>;

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The ECR registry an image reference or host names, with its region; undefined for any other registry. */
export function ecrRegistryOf(reference: string): { registry: string; region: string } | undefined {
  const registry = reference.split('/')[0]!;
  const ecr = ECR_HOST.exec(registry);
  return ecr ? { registry, region: ecr[2]! } : undefined;
}

/**
 * Writes the logins as an auth file (mode 0600) in `dir`: the containers-auth.json format, which
 * is also Docker's config.json, so one file serves `podman --authfile`, `skopeo --*-authfile` and
 * `DOCKER_CONFIG=dir`. Passwords stay off command lines; the caller removes `dir`.
 */
export function writeAuthFile(dir: string, logins: readonly RegistryCredentials[]): string {
  const file = path.join(dir, 'config.json');
  const auths = Object.fromEntries(
    logins.map((c) => [c.registry, { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') }]),
  );
  writeFileSync(file, JSON.stringify({ auths }), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/**
 * ECR's registry credentials from GetAuthorizationToken (valid 12 hours): user `AWS` and a
 * password, for the default AWS credential chain. `clientConfig` can point it at an emulator (moto).
 */
export async function ecrCredentials(
  registry: string,
  region: string,
  clientConfig: ECRClientConfig = {},
): Promise<RegistryCredentials> {
  const { ECRClient, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
  const client = new ECRClient({ region, ...clientConfig });
  try {
    const response = await client.send(new GetAuthorizationTokenCommand({}));
    const token = response.authorizationData?.[0]?.authorizationToken;
    if (!token) throw new BerthError(`ECR returned no authorization token for ${registry}`);
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new BerthError(`ECR's authorization token for ${registry} is not user:password`);
    return { registry, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  } catch (error) {
    if (error instanceof BerthError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new BerthError(
      `cannot get ECR credentials for ${registry} (${message}); check AWS credentials and region`,
      { cause: error },
    );
  } finally {
    client.destroy();
  }
}
