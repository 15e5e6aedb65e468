// @vitest-environment node
import { describe, expect, it } from 'vitest';

import { EnvError, readServerEnv } from '../../src/server/env.ts';

describe('readServerEnv', () => {
  it('listens on 0.0.0.0:3000 with no backend URL by default', () => {
    expect(readServerEnv({})).toEqual({ port: 3000, host: '0.0.0.0', backendUrl: undefined });
  });

  it('reads PORT, HOST and BACKEND_URL', () => {
    expect(readServerEnv({ PORT: '8080', HOST: '127.0.0.1', BACKEND_URL: 'http://127.0.0.1:4567' })).toEqual({
      port: 8080,
      host: '127.0.0.1',
      backendUrl: 'http://127.0.0.1:4567',
    });
  });

  it('treats empty values as unset', () => {
    expect(readServerEnv({ PORT: '', HOST: '', BACKEND_URL: '' })).toEqual(readServerEnv({}));
  });

  it.each(['ftp://files.example.com', 'api.example.com', 'javascript:alert(1)'])(
    'rejects BACKEND_URL=%s, naming the variable',
    (value) => {
      expect(() => readServerEnv({ BACKEND_URL: value })).toThrow(EnvError);
      expect(() => readServerEnv({ BACKEND_URL: value })).toThrow(/^BACKEND_URL=.* must be an http/);
    },
  );

  it.each(['http', '70000', '-1', '3.5'])('rejects PORT=%s, naming the variable', (value) => {
    expect(() => readServerEnv({ PORT: value })).toThrow(/^PORT=/);
  });
});
