import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecrCredentials, mirrorImage, mirrorTag } from '../../src/images/index.ts';
import { BerthError } from '../../src/shared/errors.ts';
import { cruddur } from '../fixtures.ts';
import { motoClientConfig, startMoto, type Moto } from '../support/moto.ts';

// The copy itself runs against a real registry in containers.test.ts; ECR is only reachable here
// through moto's ECR API, which hands out tokens but stores no images.
describe('ECR credentials (moto)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('turns GetAuthorizationToken into a registry user and password', async () => {
    const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    const credentials = await ecrCredentials(registry, 'us-east-1', motoClientConfig(moto.endpoint));
    expect(credentials.registry).toBe(registry);
    expect(credentials.username).toBe('AWS');
    expect(credentials.password.length).toBeGreaterThan(0);
  });

  it('says what to check when AWS cannot be reached', async () => {
    const error = await ecrCredentials('123456789012.dkr.ecr.us-east-1.amazonaws.com', 'us-east-1', {
      ...motoClientConfig('http://127.0.0.1:1'),
      maxAttempts: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BerthError);
    expect((error as Error).message).toMatch(
      /cannot get ECR credentials .* check AWS credentials and region/,
    );
  });
});

describe('mirrorImage arguments', () => {
  it('tags each copy with the source name and digest, as ECR tags are immutable', () => {
    const digest = `sha256:${'1a4f6bad756a'.padEnd(64, '0')}`;
    expect(mirrorTag('docker.io/library/node:20-bookworm-slim', digest)).toBe(
      'node-20-bookworm-slim-1a4f6bad756a',
    );
    expect(mirrorTag(`127.0.0.1:5000/berth/node-runtime@${digest}`, digest)).toBe(
      'node-runtime-1a4f6bad756a',
    );
  });

  it('refuses a destination with a tag', async () => {
    await expect(mirrorImage('node:20', { to: '127.0.0.1:5000/cruddur/base:v1' })).rejects.toThrow(
      /names a tag or digest; give only registry\/repository/,
    );
  });

  it('needs --to or a config that names the ECR account and region', async () => {
    await expect(mirrorImage('node:20')).rejects.toThrow(/give --to <registry\/repo>, or a config/);
  });

  it("defaults to the config's ECR base repository, <app>/base", async () => {
    const seen: string[] = [];
    // Credentials are fetched first; the unreachable source then stops it before any copy.
    const error = await mirrorImage('127.0.0.1:1/nothing/here:1', {
      config: cruddur(),
      ecrCredentials: async (registry) => {
        seen.push(registry);
        return { registry, username: 'AWS', password: 'x' };
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BerthError);
    expect((error as Error).message).toContain('cannot read 127.0.0.1:1/nothing/here:1');
    expect(seen).toEqual(['123456789012.dkr.ecr.us-east-1.amazonaws.com']);
  });
});
